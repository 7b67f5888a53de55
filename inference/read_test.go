package inference

import (
	"slices"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
)

// The gate: a dog costs no reading; a receipt is read and named, through
// the pipeline every photo takes.
func TestTextIsReadWhereThePhotoLooksLikeText(t *testing.T) {
	clf := openSet(t)
	dog := see(t, clf, inferencetest.Photo(t, "dog.jpg"))
	if dog.Timing.Text != 0 || len(dog.Lines) != 0 {
		t.Errorf("the dog was read for text: %v, %d lines", dog.Timing.Text, len(dog.Lines))
	}
	r := see(t, clf, sharedFile(t, "everyday-dev", "document-restaurant-receipt.jpg"))
	if r.Timing.Text == 0 || !strings.Contains(strings.ToLower(r.Text()), "cashier") {
		t.Errorf("the receipt was not read: %v, %q", r.Timing.Text, r.Text())
	}
	if !slices.Contains(r.Words(), "receipt") || !strings.Contains(r.Title, "receipt") {
		t.Errorf("keywords %v, title %q: want a receipt", r.Words(), r.Title)
	}
}
