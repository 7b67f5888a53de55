package catalog

import "testing"

func TestDefaultPath(t *testing.T) {
	t.Setenv("SPOTTER_CATALOG", "")
	t.Setenv("XDG_DATA_HOME", "/data")
	t.Setenv("HOME", "/home/me")
	if got := DefaultPath(); got != "/data/spotter/catalog.db" {
		t.Errorf("with XDG_DATA_HOME: %q", got)
	}
	t.Setenv("XDG_DATA_HOME", "relative/ignored")
	if got := DefaultPath(); got != "/home/me/.local/share/spotter/catalog.db" {
		t.Errorf("without XDG_DATA_HOME: %q", got)
	}
	t.Setenv("SPOTTER_CATALOG", "/elsewhere/c.db")
	if got := DefaultPath(); got != "/elsewhere/c.db" {
		t.Errorf("with SPOTTER_CATALOG: %q", got)
	}
}
