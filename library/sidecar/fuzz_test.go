package sidecar

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzMerge feeds Write's and Remove's merges any bytes as an existing sidecar: they never
// panic, and either refuse the file or return XML that still holds every keyword of the
// person's, with Spotter's added on Write (and claimed only where they are) and gone again on
// Remove.
func FuzzMerge(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xmp")
	for _, name := range files {
		b, _ := os.ReadFile(name)
		f.Add(b)
		f.Add(append([]byte("\uFEFF"), bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))...))
	}
	f.Add([]byte(fresh))
	f.Add([]byte(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>`))
	f.Add([]byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag/></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>`))
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, err := parse(src)
		if err != nil {
			return
		}
		v := doc.view()
		var person []string
		for _, s := range allValues(v.bags[listSubjects]) {
			if v.record == nil || !slices.Contains(v.record.Subjects, s) {
				person = append(person, s)
			}
		}
		out, _, err := merge(doc, catKeywords, false)
		if errors.Is(err, errOverlap) {
			t.Fatal(err)
		}
		if err != nil {
			return
		}
		merged := wellFormed(t, out)
		mv := merged.view()
		for i := range lists {
			for _, s := range mv.owned[i] {
				if !slices.Contains(allValues(mv.bags[i]), s) {
					t.Fatalf("Spotter claims %q in %s, which does not hold it:\n%s", s, lists[i].local, out)
				}
			}
		}
		subjects := allValues(mv.bags[listSubjects])
		for _, s := range append(slices.Clone(person), catKeywords.Subjects...) {
			if !slices.Contains(subjects, s) {
				t.Fatalf("%q is missing after the merge:\n%s", s, out)
			}
		}
		back, _, _, err := unmerge(merged)
		if err != nil {
			t.Fatalf("removing what was just written: %v\n%s", err, out)
		}
		subjects = allValues(wellFormed(t, back).view().bags[listSubjects])
		for _, s := range person {
			if !slices.Contains(subjects, s) {
				t.Fatalf("the person's %q is gone after Remove:\n%s", s, back)
			}
		}
		for _, s := range catKeywords.Subjects {
			if !slices.Contains(subjects, s) == slices.Contains(person, s) {
				t.Fatalf("%q after Remove: present %v, the person's %v:\n%s", s, !slices.Contains(subjects, s), slices.Contains(person, s), back)
			}
		}
	})
}

// wellFormed checks b with encoding/xml's own namespace-aware reader too, then parses it.
func wellFormed(t *testing.T, b []byte) *document {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("output is not XML: %v\n%s", err, b)
		}
	}
	doc, err := parse(b)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, b)
	}
	return doc
}
