package catalog

import (
	"path/filepath"
	"testing"
)

func TestDefaultPath(t *testing.T) {
	t.Setenv("SPOTTER_CATALOG", "")
	t.Setenv("LOCALAPPDATA", `C:\Users\me\AppData\Local`)
	if got, want := DefaultPath(), filepath.Join(`C:\Users\me\AppData\Local`, "Spotter", "catalog.db"); got != want {
		t.Errorf("DefaultPath = %q; want %q", got, want)
	}
	t.Setenv("LOCALAPPDATA", "")
	if got := DefaultPath(); got != "" {
		t.Errorf("without LOCALAPPDATA: %q", got)
	}
	t.Setenv("SPOTTER_CATALOG", `D:\elsewhere\c.db`)
	if got := DefaultPath(); got != `D:\elsewhere\c.db` {
		t.Errorf("with SPOTTER_CATALOG: %q", got)
	}
}
