package inference

import (
	"context"
	"time"

	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/text"
)

// ReadText reads the words in the photo at path into res (lines, keywords,
// title) when res says the photo looks like text (text.Wanted); other
// photos cost nothing. It is safe to call beside RunBatch: the reading is
// done in a helper process, not by the model's sessions.
func (c *Classifier) ReadText(ctx context.Context, path string, res *prediction.Result) error {
	if c.text == nil || !text.Wanted(*res) {
		return nil
	}
	start := time.Now()
	page, err := c.text.ReadFile(ctx, path)
	res.Timing.Text = time.Since(start)
	if err != nil {
		return err
	}
	text.Name(res, page)
	return nil
}

// TextModels are the language models text is read with, none with
// Options.NoText: with the models, they key the answers in the catalogue.
func (c *Classifier) TextModels() []string {
	if c.text == nil {
		return nil
	}
	return c.text.ModelFiles()
}
