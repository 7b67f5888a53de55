// Command everyday measures what Spotter names on the labelled photos of
// ../shared/everyday-dev: the share of photos with a right keyword, with a
// wrong one, keyword precision, people named and counted, against the
// targets of issue 16; documents named, words read and what reading costs
// the set, against those of issue 17. -v prints every photo.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"path/filepath"
	"strings"
	"time"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/everyday"
	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/library/keywords"
)

func main() {
	dir := flag.String("dir", "../shared/everyday-dev", "the labelled set")
	desc := flag.String("model", "", "classifier descriptor (default: as spotter finds it)")
	verbose := flag.Bool("v", false, "print every photo")
	alone := flag.Bool("alone", false, "the classifier alone, as before the detectors: its everyday name when sure (50 %)")
	flag.Parse()
	d, err := model.Find(*desc)
	if err != nil {
		log.Fatal(err)
	}
	photos, err := everyday.Load(*dir)
	if err != nil {
		log.Fatal(err)
	}
	printed, err := everyday.LoadText(*dir)
	if err != nil {
		log.Fatal(err)
	}
	opts := inference.Options{Descriptor: d, ClassifierAlone: *alone}
	results, withText := classify(opts, *dir, photos)
	verdicts := make([]everyday.Verdict, len(photos))
	var reading, readingOthers time.Duration
	var pagesFound, wordsFound, words int
	for i, p := range photos {
		r := results[i]
		verdicts[i] = everyday.Judge(p, everyday.Said{Keywords: keywords.Suggest(r, names.DefaultThreshold), People: r.People})
		reading += r.Timing.Text
		if !p.Document() {
			readingOthers += r.Timing.Text
		}
		found := everyday.Found(r.Text(), printed[p.File])
		if len(found) > 0 {
			pagesFound++
		}
		wordsFound += len(found)
		words += len(printed[p.File])
		if *verbose {
			v := verdicts[i]
			mark := " "
			if len(v.Wrong) > 0 {
				mark = "✗"
			} else if !v.Named && !p.Document() {
				mark = "·"
			}
			var objs []string
			for _, o := range r.Objects {
				objs = append(objs, fmt.Sprintf("%s %.2f", o.Label, o.Score))
			}
			var top []string
			for _, p := range r.Predictions {
				top = append(top, fmt.Sprintf("%s %.2f", p.Label, p.Probability))
			}
			fmt.Printf("%s %-40s people %2d/%-2d faces %d  kw [%s]  wrong [%s]\n     clf %s %.2f [%s]\n     obj [%s]\n", mark, p.File, r.People, p.People,
				len(r.Faces), strings.Join(r.Words(), ", "), strings.Join(v.Wrong, ", "), r.Everyday.Name, r.Everyday.Confidence, strings.Join(top, ", "), strings.Join(objs, ", "))
			if r.Timing.Text > 0 {
				fmt.Printf("     text %d lines in %v, printed words found [%s] of [%s]\n", len(r.Lines), r.Timing.Text.Round(time.Millisecond),
					strings.Join(found, ", "), strings.Join(printed[p.File], ", "))
			}
		}
	}
	s := everyday.Score(photos, verdicts)
	fmt.Printf("Keywords on %s: %d photos (%d not documents, %d with people)\n\n", *dir, s.Photos, s.NotDocuments, s.WithPeople)
	fmt.Printf("  %-52s %8s %8s\n", "", "measured", "target")
	row := func(what string, v float64, target string) { fmt.Printf("  %-52s %7.1f%% %8s\n", what, 100*v, target) }
	row("photos (not documents) with a right keyword", s.RightKeyword, "≥ 80%")
	row("photos with a wrong keyword", s.WrongKeyword, "≤ 5%")
	row("keyword precision", s.Precision, "")
	row("photos with people where a people word is written", s.PeopleNamed, "≥ 90%")
	row("photos with people counted right", s.CountRight, "≥ 80%")
	if *alone {
		return
	}
	opts.NoText = true
	_, without := classify(opts, *dir, photos)
	count := func(what string, n, of int, target string) {
		fmt.Printf("  %-52s %8s %8s\n", what, fmt.Sprintf("%d of %d", n, of), target)
	}
	count("documents and screenshots named right", int(s.DocumentsNamed*float64(s.Documents)+0.5), s.Documents, "≥ 8 of 9")
	count("photos without text called document or screenshot", s.CalledDocument, s.NotDocuments, "0")
	count("pages (TEXT.tsv) with a printed word read", pagesFound, len(printed), "all")
	count("printed words (TEXT.tsv) read", wordsFound, words, "")
	fmt.Printf("  %-52s %7.1f%% %8s\n", "time reading text, photos that are not documents", 100*readingOthers.Seconds()/withText.Seconds(), "< 20%")
	fmt.Printf("  %-52s %7.1f%% %8s\n", "time reading text, the whole set", 100*reading.Seconds()/withText.Seconds(), "")
	fmt.Printf("  %-52s %8.1f %8s\n", "photos/s with text recognition", float64(len(photos))/withText.Seconds(), "")
	fmt.Printf("  %-52s %8.1f %8s\n", "photos/s without (--no-text)", float64(len(photos))/without.Seconds(), "")
}

// classify runs the set through Spotter one photo at a time, as the test
// of the targets does, and times it.
func classify(opts inference.Options, dir string, photos []everyday.Photo) ([]prediction.Result, time.Duration) {
	clf, err := inference.Open(opts)
	if err != nil {
		log.Fatal(err)
	}
	defer clf.Close()
	out := make([]prediction.Result, len(photos))
	start := time.Now()
	for i, p := range photos {
		done := pipeline.One(context.Background(), clf, filepath.Join(dir, p.File), pipeline.Options{})
		if done.Err != nil {
			log.Fatalf("%s: %v", p.File, done.Err)
		}
		out[i] = done.Result
	}
	return out, time.Since(start)
}
