package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spotter-app/spotter/inference/prediction"
)

// jsonLine is one line of `spotter classify --json`.
type jsonLine struct {
	Path        string                  `json:"path"`
	Predictions []prediction.Prediction `json:"predictions,omitempty"`
	MS          *float64                `json:"ms,omitempty"`
	Error       string                  `json:"error,omitempty"`
}

// classify is `spotter classify`: exit status 0 when every photo was
// classified, 1 when any failed, 2 on bad usage.
func classify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spotter classify", flag.ContinueOnError)
	var ef engineFlags
	ef.register(fs)
	top := fs.Int("top", 5, "how many predictions to print per photo")
	asJSON := fs.Bool("json", false, `print JSON Lines: {"path","predictions":[{"label","probability"}],"ms"} or {"path","error"}`)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: spotter classify [flags] PHOTO…")
		fs.PrintDefaults()
	}
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}
	if fs.NArg() == 0 || *top < 1 {
		fs.Usage()
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	clf, err := ef.open(*top)
	if err != nil {
		fmt.Fprintln(stderr, "spotter:", err)
		if *asJSON {
			// A script reading the JSON learns of every photo's fate.
			for _, path := range fs.Args() {
				_ = enc.Encode(jsonLine{Path: path, Error: err.Error()})
			}
		}
		return 1
	}
	defer clf.Close()

	failed := false
	for _, path := range fs.Args() {
		res, err := clf.ClassifyFile(ctx, path)
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "spotter: interrupted")
			return 1
		}
		failed = failed || err != nil
		switch {
		case *asJSON && err != nil:
			_ = enc.Encode(jsonLine{Path: path, Error: err.Error()})
		case *asJSON:
			ms := float64(res.Timing.Total().Microseconds()) / 1000
			_ = enc.Encode(jsonLine{Path: path, Predictions: res.Predictions, MS: &ms})
		case err != nil:
			fmt.Fprintf(stderr, "%s: error: %v\n", path, err)
		default:
			fmt.Fprintf(stdout, "%s: %s\n", path, describe(res.Predictions))
		}
	}
	if failed {
		return 1
	}
	return 0
}

// describe renders predictions as "malamute (58.2%); Eskimo dog, husky (16.1%)":
// labels contain commas, so a semicolon separates them.
func describe(preds []prediction.Prediction) string {
	parts := make([]string, len(preds))
	for i, p := range preds {
		parts[i] = fmt.Sprintf("%s (%.1f%%)", p.Label, 100*p.Probability)
	}
	return strings.Join(parts, "; ")
}
