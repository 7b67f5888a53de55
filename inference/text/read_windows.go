package text

import (
	"context"
	"errors"

	"github.com/spotter-app/spotter/inference/prediction"
)

// The Windows build reads no text: Tesseract and Leptonica are not among
// the C libraries it is built from (../shared/windows-src pins none of
// theirs, and CI cannot download them), and Windows has no system copy to
// link. NewReader gives no Reader, so a Windows Spotter names photos from
// what its models see, and its README says what it lacks.
type Reader struct{}

// NoLanguage is what Settings says in place of the languages.
const NoLanguage = "This Windows build of Spotter cannot read text: Tesseract is not part of it. Photos are named from what is seen in them."

// NewReader gives no Reader and no error: the window and the command line
// run as with text reading turned off.
func NewReader([]string) (*Reader, error) { return nil, nil }

// Close has nothing to stop.
func (r *Reader) Close() {}

// ModelFiles is empty: there are no language models.
func (r *Reader) ModelFiles() []string { return nil }

// Read reads nothing.
func (r *Reader) Read(context.Context, *Picture) ([]prediction.Line, error) {
	return nil, errors.New("This Windows build of Spotter cannot read text: Tesseract is not part of it")
}
