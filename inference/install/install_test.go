package install

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCheckoutAbove(t *testing.T) {
	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if checkoutAbove(bin) {
		t.Error("a folder with no go.mod above it was taken for a checkout")
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if checkoutAbove(bin) {
		t.Error("another module's go.mod was taken for Spotter's")
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte(module+"\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !checkoutAbove(bin) {
		t.Error("bin/ of a Spotter checkout was not recognised")
	}
}

// Tests run inside the checkout, so the advice for it is given.
func TestAdviceInThisCheckout(t *testing.T) {
	if got := Advice("run make", "reinstall"); got != "run make" {
		t.Errorf("Advice in a checkout = %q", got)
	}
}
