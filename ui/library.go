package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spotter-app/spotter/inference/prediction"
)

// Library is the catalogue as the window shows it: the photos classified
// before, newest first, read a page at a time so a large library is never
// all in memory. The catalogue satisfies it through an adapter.
type Library interface {
	// Count is how many photos Page can return for q.
	Count(q Query) (int, error)
	// Page returns up to n of the photos q chooses, newest first, skipping
	// the first offset.
	Page(q Query, offset, n int) ([]Entry, error)
	// Forget removes photos from the catalogue; their files are untouched.
	Forget(paths ...string) error
	// Facets counts the photos q.Before keeps by facet, as facetsOf counts
	// a row: by each keyword of a model set's answer, by broadest category
	// of the classifier's sure name, or names.NotSure. A photo with
	// several keywords counts under each.
	Facets(q Query) (map[string]int, error)
}

// Query chooses the library's photos.
type Query struct {
	// Text, when set, keeps photos whose title, keyword, everyday name,
	// exact class, a category or file name contains it, ignoring case.
	Text string
	// Category, when set, keeps the photos of one facet (facetsOf): those
	// with it as a keyword, or whose sure everyday name has it as broadest
	// category, or for names.NotSure those Spotter is not sure of.
	Category  string
	Threshold float32
	// Before keeps results stored before it: the moment the window
	// opened. Photos classified since are in this session's rows, and the
	// pages already shown do not shift as new results are stored.
	Before time.Time
}

// Entry is one photo the library knows.
type Entry struct {
	Path   string
	Result prediction.Result // the predictions, best first, and the everyday answer
	Err    string            // why it could not be classified; "" when it was
	When   time.Time         // when it was classified
	// Missing: the library found the file gone. The window also looks for
	// each file as its page is read.
	Missing bool
}

// libPage is how many library rows are read at a time; a few pages around
// those on screen are kept.
const (
	libPage  = 200
	libPages = 8
)

// libSection is the library's part of the list, below this session's rows.
// Its rows are read page by page as the list shows them.
type libSection struct {
	query Query
	count int
	pages map[int][]*row
	asked map[int]bool // pages being read
	gen   int          // counts reloads; a page read for an older one is dropped
}

// reload starts the section again for q: every page is dropped, and the
// count is read anew. The selected row stays in byID, as in addPage.
func (t *table) reload(q Query, selected uint64) {
	for _, rows := range t.lib.pages {
		for _, r := range rows {
			if r.id != selected {
				delete(t.byID, r.id)
			}
		}
	}
	t.lib = libSection{query: q, pages: map[int][]*row{}, asked: map[int]bool{}, gen: t.lib.gen + 1}
}

// at is the row shown at list index i, or nil while its library page has
// not been read; page is that page's number, or -1 for a session row.
func (t *table) at(i int) (r *row, page int) {
	if i < len(t.view) {
		return t.view[i], -1
	}
	j := i - len(t.view)
	page = j / libPage
	if rows := t.lib.pages[page]; j%libPage < len(rows) {
		return rows[j%libPage], page
	}
	return nil, page
}

// length is how many rows the list shows.
func (t *table) length() int { return len(t.view) + t.lib.count }

// addPage keeps a page read from the library, dropping the page farthest
// from it when too many are kept. The selected row is not dropped from
// byID, so the detail panel's actions still find it; selectRow drops it
// once another is selected.
func (t *table) addPage(page int, entries []Entry, ids func() uint64, selected uint64) []*row {
	delete(t.lib.asked, page)
	if len(t.lib.pages) >= libPages {
		far := -1
		for p := range t.lib.pages {
			if far < 0 || abs(p-page) > abs(far-page) {
				far = p
			}
		}
		for _, r := range t.lib.pages[far] {
			if r.id != selected {
				delete(t.byID, r.id)
			}
		}
		delete(t.lib.pages, far)
	}
	rows := make([]*row, len(entries))
	for i, e := range entries {
		r := &row{id: ids(), path: e.Path, name: filepath.Base(e.Path), res: e.Result,
			lib: true, libIndex: page*libPage + i, when: e.When, missing: e.Missing, state: done}
		if e.Err != "" {
			r.state, r.err = failed, e.Err
		}
		rows[i] = r
		t.byID[r.id] = r
	}
	t.lib.pages[page] = rows
	return rows
}

func abs(x int) int { return max(x, -x) }

// readPage reads one page of the library off the UI thread and looks for
// each file, so photos that no longer exist show as missing.
func readPage(lib Library, q Query, page int) ([]Entry, error) {
	entries, err := lib.Page(q, page*libPage, libPage)
	for i := range entries {
		if _, serr := os.Stat(entries[i].Path); errors.Is(serr, os.ErrNotExist) {
			entries[i].Missing = true
		}
	}
	return entries, err
}

// reloadLibrary shows the library from the start for the current filter.
func (w *Window) reloadLibrary() {
	if w.library == nil {
		return
	}
	w.table.reload(Query{Text: strings.TrimSpace(w.table.filter), Category: w.table.category,
		Threshold: w.table.threshold, Before: w.opened}, w.selected)
	gen, q := w.table.lib.gen, w.table.lib.query
	w.chores.Now("counting the photos in the catalogue", func(context.Context) func() {
		n, err := w.library.Count(q)
		return func() {
			if gen != w.table.lib.gen {
				return
			}
			if err != nil {
				w.showNotice(fmt.Sprintf("Spotter could not read its catalogue: %v. The photos classified before are not shown; those you drop now are classified as usual.", err))
				return
			}
			w.table.lib.count = n
			w.browser.Refresh()
			w.update()
		}
	})
}

// recount counts the photos of each facet for the facet bar, and all the
// photos "All" shows: this session's rows here, the library's off the UI
// thread.
func (w *Window) recount() {
	w.recounts = false
	counts, total := w.table.counts(), len(w.table.rows)
	if w.library == nil {
		w.facets.show(counts, total, w.table.category)
		return
	}
	q := Query{Threshold: w.table.threshold, Before: w.opened}
	w.chores.Now("counting the categories", func(context.Context) func() {
		stored, err := w.library.Facets(q)
		n, errCount := w.library.Count(q)
		return func() {
			if err = cmp.Or(err, errCount); err != nil {
				slog.Warn("counting the categories", "err", err)
			}
			for c, n := range stored {
				counts[c] += n
			}
			w.facets.show(counts, total+n, w.table.category)
		}
	})
}

// wantPage reads a library page the list is about to show, once.
func (w *Window) wantPage(page int) {
	if w.library == nil || w.table.lib.asked[page] || w.table.lib.pages[page] != nil {
		return
	}
	w.table.lib.asked[page] = true
	gen, q := w.table.lib.gen, w.table.lib.query
	w.chores.Now("reading the catalogue", func(context.Context) func() {
		entries, err := readPage(w.library, q, page)
		return func() {
			if gen != w.table.lib.gen {
				return
			}
			if err != nil {
				delete(w.table.lib.asked, page)
				w.showNotice(fmt.Sprintf("Spotter could not read its catalogue: %v. Scroll to try again.", err))
				return
			}
			w.table.addPage(page, entries, w.worker.NewID, w.selected)
			w.browser.Refresh()
			switch {
			case w.cursor >= 0:
				if r, _ := w.table.at(w.cursor); r != nil {
					w.pick(w.cursor, r, 0)
				}
			case w.selected == 0 && page == 0 && len(entries) > 0 && len(w.table.view) == 0:
				// The window opens on the newest photo it knows, large.
				w.selectRow(w.table.lib.pages[0][0].id)
			}
		}
	})
}

// shown iterates over the rows shown, in order: this session's, copied
// now, then the library's, read a page at a time as it goes. With a
// library, run the iterator off the UI thread.
func (w *Window) shown() func(yield func(photo) error) error {
	session := make([]photo, len(w.table.view))
	for i, r := range w.table.view {
		session[i] = r.photo()
	}
	lib, q := w.library, w.table.lib.query
	return func(yield func(photo) error) error {
		for _, p := range session {
			if err := yield(p); err != nil {
				return err
			}
		}
		if lib == nil {
			return nil
		}
		for offset := 0; ; offset += libPage {
			entries, err := lib.Page(q, offset, libPage)
			if err != nil {
				return fmt.Errorf("Spotter could not read its catalogue after %d of its photos: %w. Those after them were left out; try again.", offset, err)
			}
			for _, e := range entries {
				if err := yield(photo{path: e.Path, res: e.Result, err: e.Err, cached: true}); err != nil {
					return err
				}
			}
			if len(entries) < libPage {
				return nil
			}
		}
	}
}
