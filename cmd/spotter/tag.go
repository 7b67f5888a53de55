package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/keywords"
	"github.com/spotter-app/spotter/library/sidecar"
)

// tag is `spotter tag`: classify what the catalogue does not know yet, then
// write the keywords Spotter is sure of in each photo, each under its path
// ("animal|dog"), into its XMP sidecar, or with --remove take Spotter's
// keywords away again. Running it is the
// person's "apply"; --dry-run shows what would change and writes nothing.
// Exit status 0 when every photo went well (a photo Spotter is not sure of
// is skipped, not failed), 1 when any failed, 2 on bad usage.
func tag(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("spotter tag", flag.ContinueOnError)
	var ef engineFlags
	ef.register(flags)
	var cf catalogFlags
	cf.register(flags)
	threshold := flags.Float64("threshold", names.DefaultThreshold, "with the classifier alone, write its everyday name only when at least this confident (0–1); with the detectors beside it, the keywords are those the model set is sure of")
	dryRun := flags.Bool("dry-run", false, "print what would change in the sidecars, and change none (new answers are still kept in the catalogue)")
	remove := flags.Bool("remove", false, "take away the keywords Spotter wrote (a sidecar Spotter made and nothing else uses is deleted)")
	setUsage(flags, "Usage: spotter tag [flags] PHOTO|FOLDER…\n"+
		"Writes the keywords Spotter is sure of in each photo (\"person\", \"dog\"), each also under its path (\"animal|dog\"),\n"+
		"as XMP keywords to PHOTO.EXT.xmp (or an existing PHOTO.xmp), merged with what the sidecar holds;\n"+
		"the photo itself is never changed.",
		"spotter tag --dry-run ~/Pictures/2024",
		"spotter tag --threshold 0.7 ~/Pictures/2024",
		"spotter tag --remove ~/Pictures/2024")
	if code, ok := parse(flags, args, stderr); !ok {
		return code
	}
	if flags.NArg() == 0 || *threshold < 0 || *threshold > 1 {
		flags.Usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := &output{stdout: stdout, stderr: stderr}
	paths, failed, ok := named(ctx, flags.Args(), out)
	if !ok {
		return 1
	}
	t := tagger{stdout: stdout, stderr: stderr, dryRun: *dryRun}
	if *remove {
		t.remove(paths)
	} else {
		w := newWarner(stderr)
		clf, err := ef.open(maxTop)
		if err != nil {
			fmt.Fprintln(stderr, "spotter:", err)
			return 1
		}
		defer clf.Close()
		cat := cf.open(w.warn)
		defer w.closeCatalog(cat)
		var jobs []sidecar.Job
		set := engineInfo(clf).Model // the sidecar records which models said it
		classifyAll(ctx, clf, paths, w.memory(cat, clf, false, 1), func(d pipeline.Done) {
			if d.Err != nil {
				t.fail(d.Path, d.Err)
				return
			}
			if !d.Result.Sure(float32(*threshold)) {
				fmt.Fprintf(stdout, "%s: %s: no keywords\n", d.Path, notSureOf(d.Result))
				return
			}
			k, ok := keywords.For(d.Result, float32(*threshold), t.rejected(cat, d.Path), set, time.Now())
			if !ok {
				fmt.Fprintf(stdout, "%s: every keyword was rejected before: no keywords\n", d.Path)
				return
			}
			jobs = append(jobs, sidecar.Job{Photo: d.Path, Keywords: k})
		})
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "spotter: interrupted")
			return 1
		}
		t.write(jobs, cat)
	}
	if failed || t.failed {
		return 1
	}
	return 0
}

// notSureOf says what Spotter saw in a photo it is not sure of: the
// classifier's best guess, which the model set's answer does not go by.
func notSureOf(r prediction.Result) string {
	if a := r.Everyday; !r.Fused && a.Name != "" {
		return fmt.Sprintf("%s (%s %.0f%%)", names.NotSure, a.Name, 100*a.Confidence)
	}
	return names.NotSure
}

type tagger struct {
	stdout, stderr io.Writer
	dryRun         bool
	failed         bool
	unnoted        bool // the catalogue could not note a written keyword: said once
}

func (t *tagger) fail(path string, err error) {
	t.failed = true
	fmt.Fprintf(t.stderr, "%s: error: %v\n", path, err)
}

// rejected are the keywords the person turned down for this photo in the
// window's review: never written again.
func (t *tagger) rejected(cat *catalog.Catalog, path string) map[string]bool {
	if cat == nil {
		return nil
	}
	out, err := rejectedIn(cat, path)
	if err != nil {
		fmt.Fprintf(t.stderr, "spotter: warning: the reviews of %s cannot be read (%v); no keyword of it counts as rejected\n", path, err)
	}
	return out
}

func (t *tagger) write(jobs []sidecar.Job, cat *catalog.Catalog) {
	if t.dryRun {
		for _, j := range jobs {
			c, err := sidecar.Plan(j.Photo, j.Keywords)
			t.report(j.Photo, c, err, "would add")
		}
		return
	}
	for i, r := range sidecar.WriteAll(jobs) {
		t.report(jobs[i].Photo, r.Change, r.Err, "added")
		if r.Err == nil && cat != nil {
			for _, k := range jobs[i].Keywords.Subjects {
				if err := cat.SetReview(jobs[i].Photo, k, catalog.Written); err != nil {
					if !t.unnoted {
						fmt.Fprintf(t.stderr, "spotter: warning: the catalogue cannot note which keywords were written (%v); the sidecars have them\n", err)
					}
					t.unnoted = true
					break
				}
			}
		}
	}
}

func (t *tagger) remove(paths []string) {
	if t.dryRun {
		for _, p := range paths {
			c, err := sidecar.PlanRemove(p)
			t.report(p, c, err, "would remove")
		}
		return
	}
	for i, r := range sidecar.RemoveAll(paths) {
		t.report(paths[i], r.Change, r.Err, "removed")
	}
}

// report prints one photo's change: "IMG_1.jpg: added person, dog,
// people|person, animal|dog, 1 face to IMG_1.jpg.xmp (new)".
func (t *tagger) report(photo string, c sidecar.Change, err error, verb string) {
	if err != nil {
		t.fail(photo, err)
		return
	}
	words := append(append([]string{}, c.Subjects.Added...), c.Hierarchies.Added...)
	if strings.HasPrefix(verb, "would remove") || verb == "removed" {
		words = append(append([]string{}, c.Subjects.Removed...), c.Hierarchies.Removed...)
	}
	switch {
	case c.Faces == 1:
		words = append(words, "1 face")
	case c.Faces > 1:
		words = append(words, fmt.Sprintf("%d faces", c.Faces))
	}
	if !c.Changed || len(words) == 0 {
		fmt.Fprintf(t.stdout, "%s: nothing to change in %s\n", photo, c.Sidecar)
		return
	}
	note := ""
	switch {
	case c.Create:
		note = " (new)"
	case c.Delete:
		note = " (deleted: nothing else was in it)"
	}
	prep := " to "
	if strings.Contains(verb, "remove") {
		prep = " from "
	}
	fmt.Fprintf(t.stdout, "%s: %s %s%s%s%s\n", photo, verb, strings.Join(words, ", "), prep, c.Sidecar, note)
}
