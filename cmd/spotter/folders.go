package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/folders"
)

// libraryCmd is `spotter library add|remove|list|exclude|include|pause|
// resume`: the library folders Spotter indexes and watches by itself.
// Exit status 0 when done, 1 when a folder could not be changed, 2 on bad
// usage.
func libraryCmd(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("spotter library", flag.ContinueOnError)
	var cf catalogFlags
	flags.StringVar(&cf.path, "catalog", "", "the catalogue that keeps the library folders (default: $SPOTTER_CATALOG, else $XDG_DATA_HOME/spotter/catalog.db)")
	setUsage(flags, `Usage: spotter library [flags] add|remove|exclude|include FOLDER…
       spotter library [flags] list|pause|resume
Library folders are the folders Spotter keeps classified by itself: while the window is open,
or while spotter watch runs, new, changed, moved and deleted photos in them are picked up.
  add FOLDER…      index and watch these folders (and every folder in them)
  remove FOLDER…   stop indexing them; their photos' answers stay in the catalogue
  exclude FOLDER…  leave out a folder inside a library folder (its answers stay too)
  include FOLDER…  index an excluded folder again
  list             each folder with its photos, and whether it is watched or away
  pause, resume    stop classifying (in every Spotter, and after restarts) or go on
Hidden folders and files, and Spotter's own files, are always left out.`,
		"spotter library add ~/Pictures /media/me/Camera",
		"spotter library exclude ~/Pictures/Screenshots",
		"spotter library list")
	if code, ok := parse(flags, args, stderr); !ok {
		return code
	}
	sub, paths := flags.Arg(0), flags.Args()[min(1, flags.NArg()):]
	change, needsPaths := libraryChanges[sub]
	switch {
	case sub == "list" || sub == "pause" || sub == "resume":
		needsPaths = false
		if len(paths) > 0 {
			flags.Usage()
			return 2
		}
	case !needsPaths:
		if sub != "" {
			fmt.Fprintf(stderr, "spotter library: unknown subcommand %q\n", sub)
		}
		flags.Usage()
		return 2
	case len(paths) == 0:
		fmt.Fprintf(stderr, "spotter library %s: name the folders, as in spotter library %s ~/Pictures\n", sub, sub)
		return 2
	}

	path := cf.path
	if path == "" {
		path = catalog.DefaultPath()
	}
	// Listing must not create a catalogue where there was none.
	if _, err := os.Stat(path); sub == "list" && path != "" && errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintln(stdout, "No library folders yet: add one with spotter library add ~/Pictures")
		return 0
	}
	w := newWarner(stderr)
	cat := cf.open(w.warn)
	if cat == nil {
		return 1
	}
	defer w.closeCatalog(cat)
	switch sub {
	case "list":
		if err := listFolders(cat, stdout); err != nil {
			fmt.Fprintf(stderr, "spotter: the catalogue %s could not be read (%v). %s\n", cat.Path(), err, damagedAdvice)
			return 1
		}
		return 0
	case "pause", "resume":
		if err := cat.SetIndexingPaused(sub == "pause"); err != nil {
			fmt.Fprintf(stderr, "spotter: the catalogue %s could not be changed (%v)\n", cat.Path(), err)
			return 1
		}
		if sub == "pause" {
			fmt.Fprintln(stdout, "Indexing is paused, in every Spotter and after restarts, until spotter library resume (watching goes on: moves and deletions are still recorded).")
		} else {
			fmt.Fprintln(stdout, "Indexing resumes.")
		}
		return 0
	}
	code := 0
	for _, p := range paths {
		msg, err := change(cat, p)
		if err != nil {
			fmt.Fprintln(stderr, "spotter:", err)
			code = 1
			continue
		}
		fmt.Fprintln(stdout, msg)
	}
	return code
}

// libraryChanges are the subcommands that change folders, each saying
// what it did.
var libraryChanges = map[string]func(cat *catalog.Catalog, path string) (string, error){
	"add": func(cat *catalog.Catalog, path string) (string, error) {
		added, replaced, err := folders.Add(cat, path)
		if err != nil {
			return "", err
		}
		msg := "Added " + added + watchHint(cat)
		if len(replaced) > 0 {
			msg += fmt.Sprintf(" It holds the library folders %s, which it replaces.", strings.Join(replaced, ", "))
		}
		return msg, nil
	},
	"remove": func(cat *catalog.Catalog, path string) (string, error) {
		removed, err := folders.Remove(cat, path)
		return "Removed " + removed + ": it is no longer indexed or watched; the answers of its photos stay in the catalogue.", err
	},
	"exclude": func(cat *catalog.Catalog, path string) (string, error) {
		excluded, err := folders.Exclude(cat, path)
		return "Excluded " + excluded + ": it is no longer indexed or watched.", err
	},
	"include": func(cat *catalog.Catalog, path string) (string, error) {
		included, err := folders.Include(cat, path)
		return "Included " + included + " again.", err
	},
}

// watchHint says who picks a folder up: the process indexing now, or how
// to start one.
func watchHint(cat *catalog.Catalog) string {
	if h, ok, err := cat.IndexingHolder(); err == nil && ok {
		return fmt.Sprintf(": %s picks it up within seconds.", h.Program)
	}
	return ": its photos are classified when Spotter's window is open, or by spotter watch."
}

// listFolders writes each library folder with its photos and state, the
// exclusions, and whether indexing is paused or done by a process now.
func listFolders(cat *catalog.Catalog, out io.Writer) error {
	roots, err := cat.Folders(catalog.Library)
	if err != nil {
		return err
	}
	excluded, err := cat.Folders(catalog.Excluded)
	if err != nil {
		return err
	}
	if len(roots) == 0 {
		fmt.Fprintln(out, "No library folders yet: add one with spotter library add ~/Pictures")
		return nil
	}
	holder, watched, err := cat.IndexingHolder()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	for _, r := range roots {
		s, err := cat.Stats(r.Path)
		if err != nil {
			return err
		}
		photos := fmt.Sprintf("%d photos", s.Photos)
		if s.Missing > 0 {
			photos += fmt.Sprintf(" (%d missing)", s.Missing)
		}
		var state string
		switch {
		case !r.Offline.IsZero():
			state = fmt.Sprintf("away since %s (drive unmounted?): its %d photos are kept, offline", r.Offline.Format("2006-01-02 15:04"), s.Offline)
		case watched:
			state = "watched by " + holder.String()
		default:
			state = "not watched now: open Spotter, or run spotter watch"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", folders.Tilde(r.Path), photos, state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range excluded {
		fmt.Fprintf(out, "Excluded: %s\n", folders.Tilde(e.Path))
	}
	if paused, err := cat.IndexingPaused(); err != nil {
		return err
	} else if paused {
		fmt.Fprintln(out, "Indexing is paused: spotter library resume goes on.")
	}
	return nil
}
