// Command everyday measures what Spotter names on the labelled photos of
// ../shared/everyday-dev: the share of photos with a right keyword, with a
// wrong one, keyword precision, people named and counted, against the
// targets of issue 16. -v prints every photo.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"path/filepath"
	"strings"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/everyday"
	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/pipeline"
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
	clf, err := inference.Open(inference.Options{Descriptor: d, ClassifierAlone: *alone})
	if err != nil {
		log.Fatal(err)
	}
	defer clf.Close()
	photos, err := everyday.Load(*dir)
	if err != nil {
		log.Fatal(err)
	}
	verdicts := make([]everyday.Verdict, len(photos))
	for i, p := range photos {
		done := pipeline.One(context.Background(), clf, filepath.Join(*dir, p.File), pipeline.Options{})
		if done.Err != nil {
			log.Fatalf("%s: %v", p.File, done.Err)
		}
		r := done.Result
		verdicts[i] = everyday.Judge(p, everyday.Said{Keywords: keywords.Suggest(r, names.DefaultThreshold), People: r.People})
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
}
