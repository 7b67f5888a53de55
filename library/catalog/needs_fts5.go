//go:build !sqlite_fts5

package catalog

// The catalogue's text search needs SQLite's FTS5, which mattn/go-sqlite3
// compiles in only with the build tag sqlite_fts5. Without it the build
// stops here, on a name that says what is missing, rather than every
// catalogue failing to open at run time with "no such module: fts5".
// make sets the tag; plain go commands need -tags sqlite_fts5 (README).
var _ = catalog_needs_build_tag_sqlite_fts5
