// Package names reads a classifier's classes as people speak: an everyday
// name ("cat" for the class "Egyptian cat") under a short category path
// ("animal"), and a photo's answer as the everyday name whose classes
// together are most probable, so a butterfly the model splits between
// ringlet and monarch is "butterfly, 61 %", not two 30 % guesses.
//
// The tables are generated from WordNet 3.0 and a hand-picked list of
// everyday categories (categories.tsv) by ./gen, whose comment gives the
// rules; the package needs nothing on disk at run time.
package names

//go:generate go run ./gen -wordnet /usr/share/wordnet -labels ../../models/mobilenet_v2_1.0_224_quant/labels.txt -categories categories.tsv -out imagenet.tsv

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// DefaultThreshold is the confidence below which a photo is NotSure.
const DefaultThreshold = 0.5

// NotSure is what a person is shown instead of a name below the threshold.
const NotSure = "not sure"

// Class is one model class read as people speak.
type Class struct {
	Label      string   // the model's label, e.g. "Egyptian cat" (the first synonym of labels.txt's line)
	Name       string   // everyday name, e.g. "cat"
	Categories []string // category path above Name, root first, e.g. ["animal"]; ["food and drink"] for coffee
}

// Path joins Categories and Name for a hierarchical keyword: "animal|cat".
func (c Class) Path() string {
	return strings.Join(append(slices.Clip(c.Categories), c.Name), "|")
}

// Answer is the everyday reading of one photo.
type Answer struct {
	Name             string   `json:"name"`              // the everyday name with the highest summed probability
	Confidence       float32  `json:"confidence"`        // sum of the probabilities of all classes with that name
	Categories       []string `json:"categories"`        // its category path, root first
	Class            string   `json:"class"`             // the most probable exact class (label) within that name
	ClassProbability float32  `json:"class_probability"` // that class's own probability
}

// Sure reports whether the answer reaches threshold; below it a person is
// shown NotSure.
func (a Answer) Sure(threshold float32) bool {
	return a.Name != "" && a.Confidence >= threshold
}

// Table maps one model's classes, in the model's output order, to everyday
// names.
type Table struct {
	classes    []Class
	wnids      []string
	group      []int // class → its everyday name (same name and path), numbered by first appearance
	groups     int
	categories []string
}

//go:embed imagenet.tsv
var imagenetTSV string

//go:embed categories.tsv
var categoriesTSV string

// embedded parses an embedded table once, when first asked for.
func embedded(tsv, what string) func() *Table {
	return sync.OnceValue(func() *Table {
		t, err := parse(tsv, categoriesTSV)
		if err != nil {
			panic("names: the embedded " + what + " table is broken: " + err.Error())
		}
		return t
	})
}

var imagenet = embedded(imagenetTSV, "ImageNet")

// ImageNet is the table for the 1000 ImageNet-1k classes in labels.txt
// order (the order of the TF-slim and ONNX Model Zoo classifiers alike).
func ImageNet() *Table { return imagenet() }

//go:embed coco.tsv
var cocoTSV string

var coco = embedded(cocoTSV, "COCO")

// COCO is the table for the 80 COCO classes an object detector finds, in
// the order of YOLOX's labels.txt.
func COCO() *Table { return coco() }

// tables are the tables a model descriptor can name.
var tables = map[string]func() *Table{"imagenet-1k": ImageNet, "coco-80": COCO}

// Lookup returns the table a model descriptor names ("imagenet-1k"), or an
// error sentence.
func Lookup(name string) (*Table, error) {
	if f, ok := tables[strings.ToLower(strings.TrimSpace(name))]; ok {
		return f(), nil
	}
	known := make([]string, 0, len(tables))
	for k := range tables {
		known = append(known, k)
	}
	slices.Sort(known)
	return nil, fmt.Errorf("The model's descriptor asks for the name table %q, which Spotter does not have. Set its \"names\" to one of: %s.", name, strings.Join(known, ", "))
}

// Len is the number of classes.
func (t *Table) Len() int { return len(t.classes) }

// Class is class i (0-based, the model's output index).
func (t *Table) Class(i int) Class {
	c := t.classes[i]
	c.Categories = slices.Clone(c.Categories)
	return c
}

// WNID is class i's WordNet 3.0 noun synset, "n" and its 8-digit offset
// (ImageNet's id, e.g. "n02124075" for Egyptian cat).
func (t *Table) WNID(i int) string { return t.wnids[i] }

// Categories returns every category name used by the table, for facets: the
// hand-picked list's labels in its order (roots such as "animal" and names
// such as "dog"), then the fallback "thing" if a class has no listed
// ancestor.
func (t *Table) Categories() []string { return slices.Clone(t.categories) }

// Answer sums probs (one per class, in table order, len == t.Len()) by
// everyday name. Two classes share a name only when their category paths
// match too, so a window screen never adds to a computer screen.
func (t *Table) Answer(probs []float32) Answer {
	if len(probs) != len(t.classes) {
		panic(fmt.Sprintf("names: %d probabilities for a table of %d classes", len(probs), len(t.classes)))
	}
	sums := make([]float64, t.groups)
	for i, p := range probs {
		sums[t.group[i]] += float64(p)
	}
	best := 0
	for g, s := range sums {
		if s > sums[best] {
			best = g
		}
	}
	top := -1
	for i, p := range probs {
		if t.group[i] == best && (top < 0 || p > probs[top]) {
			top = i
		}
	}
	c := t.classes[top]
	return Answer{
		Name:             c.Name,
		Confidence:       float32(sums[best]),
		Categories:       slices.Clone(c.Categories),
		Class:            c.Label,
		ClassProbability: probs[top],
	}
}

// Sums adds probs (one per class, in table order) by everyday name: how
// much of the model's belief each name holds.
func (t *Table) Sums(probs []float32) map[string]float32 {
	if len(probs) != len(t.classes) {
		panic(fmt.Sprintf("names: %d probabilities for a table of %d classes", len(probs), len(t.classes)))
	}
	out := map[string]float32{}
	for i, p := range probs {
		out[t.classes[i].Name] += p
	}
	return out
}

// parse reads a generated table ("index, wnid, label, name, path" lines) and
// the category list it was made with.
func parse(table, categoryList string) (*Table, error) {
	t := &Table{}
	byPath := map[string]int{}
	used := map[string]bool{}
	for n, line := range strings.Split(strings.TrimSuffix(table, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) != 5 || fs[2] == "" || fs[3] == "" || fs[4] == "" {
			return nil, fmt.Errorf("line %d: want index, wnid, label, name and categories", n+1)
		}
		if i, err := strconv.Atoi(fs[0]); err != nil || i != len(t.classes) {
			return nil, fmt.Errorf("line %d: class %q out of order", n+1, fs[0])
		}
		c := Class{Label: fs[2], Name: fs[3], Categories: strings.Split(fs[4], "|")}
		c.Categories = slices.Clip(c.Categories)
		path := c.Path()
		g, ok := byPath[path]
		if !ok {
			g = len(byPath)
			byPath[path] = g
		}
		for _, w := range append(c.Categories, c.Name) {
			used[w] = true
		}
		t.classes = append(t.classes, c)
		t.wnids = append(t.wnids, fs[1])
		t.group = append(t.group, g)
	}
	t.groups = len(byPath)
	for _, line := range strings.Split(categoryList, "\n") {
		name, _, _ := strings.Cut(line, "\t")
		if line != "" && !strings.HasPrefix(line, "#") && used[name] && !slices.Contains(t.categories, name) {
			t.categories = append(t.categories, name)
		}
	}
	// The generator's fallback path ("thing") is not in the list.
	for _, c := range t.classes {
		for _, w := range c.Categories {
			if !slices.Contains(t.categories, w) {
				t.categories = append(t.categories, w)
			}
		}
	}
	return t, nil
}
