package main

import (
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/library/catalog"
)

// With a library folder, the open window classifies its photos by itself,
// and a photo copied in while it is open; closing it stops indexing and
// gives the catalogue's indexing lock back.
func TestWindowIndexesLibraryFolders(t *testing.T) {
	d := startDisplay(t)
	bin := buildSpotter(t)
	pictures := t.TempDir()
	for _, name := range []string{"dog.jpg", "eagle.jpg"} {
		copyFile(t, inferencetest.Photo(t, name), filepath.Join(pictures, name))
	}
	dataHome := ""
	for _, kv := range d.env {
		if v, ok := strings.CutPrefix(kv, "XDG_DATA_HOME="); ok {
			dataHome = v
		}
	}
	cat := filepath.Join(dataHome, "spotter", "catalog.db")
	if code, _, stderr := runLibrary(t, cat, "add", pictures); code != 0 {
		t.Fatalf("spotter library add: %s", stderr)
	}

	a := d.launch(t, bin)
	has := func(names ...string) func() bool {
		return func() bool {
			kept := inCatalogue(t, cat)
			return !slices.ContainsFunc(names, func(n string) bool { return !kept[filepath.Join(pictures, n)] })
		}
	}
	waitFor(t, 60*time.Second, "the window to index the library folder", has("dog.jpg", "eagle.jpg"))
	copyFile(t, inferencetest.Photo(t, "horses.jpg"), filepath.Join(pictures, "horses.jpg"))
	waitFor(t, 30*time.Second, "the window to classify a photo copied into the folder", has("horses.jpg"))

	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a.waitExit(t, 5*time.Second)
	a.noErrors(t)
	c, err := catalog.Open(cat)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if h, held, err := c.IndexingHolder(); err != nil || held {
		t.Errorf("after the window closed, the indexing lock is held by %v (%v)", h, err)
	}
}
