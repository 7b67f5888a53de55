// Command gen writes a model's name table (imagenet.tsv) from WordNet 3.0, the
// model's labels file and the hand-picked categories (categories.tsv). It
// reads WordNet only here, at generate time; the names package embeds what
// it writes. Run it through `go generate ./inference/names`.
//
// # Classes to synsets
//
// ImageNet-1k class i is the WordNet noun synset whose 8-digit offset is its
// id, and labels.txt lists the classes in id order, one line of
// comma-separated synonyms each. For each line, in order, the candidates are
// the synsets holding any of its words whose offset is greater than the
// previous class's: the order is what tells crane the bird (class 134) from
// crane the machine (517). A candidate scores one point per label word it
// holds and loses one per word of its own the label lacks, because a label is
// its synset's full word list: "ox" is the synset {ox}, not {ox, wild ox}.
// The best score wins, and among equals the smallest offset. The order cannot
// settle everything: for fifteen classes two synsets with the same words both
// fit (beaker the cup and beaker the lab jar are neighbours), and ImageNet's
// choice among them is pinned below, checked against ILSVRC-2012's synset
// list. A pin must name one of the tied best candidates or gen fails.
//
// # Synsets to everyday names
//
//  1. A class maps to its nearest listed ancestor: the listed synsets reached
//     from the class's synset through hypernym pointers (@ and @i, the class
//     itself included), fewest steps first. A listed synset that is itself an
//     ancestor of another one reached never wins: WordNet files the whippet
//     as a racer, which is an animal, yet it is a dog. Ties at the same
//     distance go to the category listed first.
//  2. Under a "name" category the class is called by the category's name and
//     its path is the category's parent path: every dog breed is "dog" with
//     path [animal], Egyptian cat is "cat" [animal] (the category is the
//     domestic cat, so a cougar stays a cougar), monarch, ringlet and admiral
//     are "butterfly" [animal], espresso is "coffee" [food and drink].
//  3. Under a "group" category the class keeps its own name and the group
//     ends its path: motor scooter is "scooter" [vehicle].
//  4. A class's own name is the label's first synonym, shortened to the
//     shortest word-suffix of any of its synonyms (fewer words than the first
//     synonym) that WordNet knows as a word of the class's synset or of an
//     ancestor strictly below the chosen category: "motor scooter, scooter"
//     gives "scooter" (a synonym), "analog clock" gives "clock", "beer
//     bottle" "bottle", "brown bear" "bear" (ancestors). Stopping below the
//     category keeps generic words out: "cash machine" stays, because
//     machine is the category. Only a shorter name replaces the first
//     synonym: "harmonica, mouth organ, harp, mouth harp" stays harmonica.
//  5. A class with no listed ancestor keeps its own name, shortened only to
//     its own synonyms, under the fallback path [thing]; gen prints how many
//     there are.
//
// Output is one line per class, "index, wnid, label, name, category path"
// (tab-separated, the path joined by "|"), so a change to the categories
// shows in a diff as the lines of the classes it moves.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// pins gives ImageNet's synset for the classes whose label words and order
// leave two or more equal candidates (class index → offset).
var pins = map[int]string{
	438: "02815834", // beaker: the lab jar, not the cup
	443: "02834397", // bib: of an apron, not a baby's
	456: "02879718", // bow: the weapon, not the violin bow
	471: "02950826", // cannon: a tank's gun, not artillery on wheels
	501: "03045698", // cloak: anything that conceals, not the garment
	549: "03291819", // envelope: for a letter, not any wrapper
	586: "03478589", // half track: the vehicle, not the track
	624: "03661043", // library: the building, not the room
	664: "03782006", // monitor: checking a signal's quality
	727: "03956157", // planetarium: the building, not the apparatus
	766: "04111531", // rotisserie: the oven, not the restaurant
	813: "04270147", // spatula: the turner, not the spreading tool
	815: "04275548", // spider web: a web like a spider's, not the spider's own
	982: "10148035", // groom: at his wedding, not recently married
	987: "12144580", // corn: the dried grains, not the cereal plant
}

// fallback is the path of a class with no listed ancestor.
const fallback = "thing"

func main() {
	wordnet := flag.String("wordnet", "/usr/share/wordnet", "folder with WordNet 3.0's data.noun (Debian's wordnet-base)")
	labels := flag.String("labels", "", "the model's labels file, one class a line in id order")
	categories := flag.String("categories", "categories.tsv", "the hand-picked categories")
	out := flag.String("out", "imagenet.tsv", "the table to write")
	flag.Parse()
	if err := run(*wordnet, *labels, *categories, *out, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(wordnetDir, labelsPath, categoriesPath, outPath string, report io.Writer) error {
	if labelsPath == "" {
		return errors.New("-labels is required")
	}
	wn, err := readWordNet(filepath.Join(wordnetDir, "data.noun"))
	if err != nil {
		return fmt.Errorf("%w. Install WordNet 3.0 (Debian: apt-get install wordnet-base) or pass -wordnet", err)
	}
	cats, err := readCategories(categoriesPath, wn)
	if err != nil {
		return err
	}
	lines, err := readLabels(labelsPath)
	if err != nil {
		return err
	}
	offsets, err := matchClasses(lines, wn)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Generated by `go generate ./inference/names` from WordNet 3.0, %s and categories.tsv. Do not edit.\n", filepath.Base(labelsPath))
	buf.WriteString("# index\twnid\tlabel\tname\tcategories\n")
	perRoot := map[string]int{}
	var fallbacks []string
	for i, syns := range lines {
		name, path := everyday(offsets[i], syns, wn, cats)
		if path[0] == fallback {
			fallbacks = append(fallbacks, syns[0])
		}
		perRoot[path[0]]++
		fmt.Fprintf(&buf, "%d\tn%s\t%s\t%s\t%s\n", i, offsets[i], syns[0], name, strings.Join(path, "|"))
	}
	if err := os.WriteFile(outPath, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(report, "gen: %d classes written to %s\n", len(lines), outPath)
	var roots []string
	for _, c := range cats {
		if c.parent == nil && !slices.Contains(roots, c.name) {
			roots = append(roots, c.name)
		}
	}
	for _, r := range append(roots, fallback) {
		fmt.Fprintf(report, "gen: %5d %s\n", perRoot[r], r)
	}
	fmt.Fprintf(report, "gen: %d without a listed ancestor: %s\n", len(fallbacks), strings.Join(fallbacks, "; "))
	return nil
}

type synset struct {
	words  []string // as WordNet spells them, with underscores
	hypers []string // @ and @i pointers
}

type wordNet struct {
	synsets map[string]*synset
	lemmas  map[string][]string // lower-cased word → offsets, ascending
}

// readWordNet reads the noun synsets: "offset lex_filenum ss_type w_cnt
// word lex_id … p_cnt {ptr_symbol offset pos source/target} … | gloss".
func readWordNet(path string) (*wordNet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	wn := &wordNet{synsets: map[string]*synset{}, lemmas: map[string][]string{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "  ") { // the licence header
			continue
		}
		head, _, _ := strings.Cut(line, " | ")
		fs := strings.Fields(head)
		bad := fmt.Errorf("%s line %d is not a WordNet 3.0 synset", path, n)
		if len(fs) < 5 {
			return nil, bad
		}
		wcnt, err := strconv.ParseUint(fs[3], 16, 8)
		if err != nil || len(fs) < 5+2*int(wcnt) {
			return nil, bad
		}
		s := &synset{}
		for k := range int(wcnt) {
			w := fs[4+2*k]
			s.words = append(s.words, w)
			key := strings.ToLower(w)
			wn.lemmas[key] = append(wn.lemmas[key], fs[0])
		}
		i := 4 + 2*int(wcnt)
		pcnt, err := strconv.Atoi(fs[i])
		if err != nil || len(fs) < i+1+4*pcnt {
			return nil, bad
		}
		for k := range pcnt {
			p := fs[i+1+4*k:]
			if (p[0] == "@" || p[0] == "@i") && p[2] == "n" {
				s.hypers = append(s.hypers, p[1])
			}
		}
		wn.synsets[fs[0]] = s
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(wn.synsets) == 0 {
		return nil, fmt.Errorf("%s holds no synsets", path)
	}
	return wn, nil
}

type category struct {
	name    string
	group   bool
	parent  *category
	synsets []string
}

// path is the category path above c's own name, root first.
func (c *category) path() []string {
	if c.parent == nil {
		return nil
	}
	return append(c.parent.path(), c.parent.name)
}

func readCategories(path string, wn *wordNet) ([]*category, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cats []*category
	byName := map[string]*category{}
	for n, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s line %d", path, n+1)
		fs := strings.Split(line, "\t")
		if len(fs) != 4 || (fs[1] != "group" && fs[1] != "name") {
			return nil, fmt.Errorf("%s: want name, kind (group or name), parent and synsets, tab-separated", where)
		}
		c := &category{name: fs[0], group: fs[1] == "group"}
		if fs[2] != "" {
			if c.parent = byName[fs[2]]; c.parent == nil {
				return nil, fmt.Errorf("%s: parent %q is not listed above it", where, fs[2])
			}
		}
		for _, ref := range strings.Fields(fs[3]) {
			off, lemma, _ := strings.Cut(ref, ":")
			s := wn.synsets[off]
			if s == nil || !slices.ContainsFunc(s.words, func(w string) bool { return strings.EqualFold(w, lemma) }) {
				return nil, fmt.Errorf("%s: %s is not a noun synset holding %q", where, off, lemma)
			}
			c.synsets = append(c.synsets, off)
		}
		if len(c.synsets) == 0 {
			return nil, fmt.Errorf("%s: no synsets", where)
		}
		byName[c.name] = c
		cats = append(cats, c)
	}
	return cats, nil
}

// readLabels returns each line's synonyms.
func readLabels(path string) ([][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var lines [][]string
	for n, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			return nil, fmt.Errorf("%s line %d is empty", path, n+1)
		}
		lines = append(lines, strings.Split(line, ", "))
	}
	return lines, nil
}

func wordKey(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "_")) }

// matchClasses finds each class's synset (see the package comment).
func matchClasses(lines [][]string, wn *wordNet) ([]string, error) {
	offsets := make([]string, len(lines))
	prev := ""
	for i, syns := range lines {
		want := map[string]bool{}
		for _, w := range syns {
			want[wordKey(w)] = true
		}
		score := map[string]int{}
		for w := range want {
			for _, off := range wn.lemmas[w] {
				if off > prev {
					score[off]++
				}
			}
		}
		var best []string
		bestScore := 0
		for off := range score {
			for _, w := range wn.synsets[off].words {
				if !want[strings.ToLower(w)] {
					score[off]--
				}
			}
			switch {
			case len(best) == 0 || score[off] > bestScore:
				best, bestScore = []string{off}, score[off]
			case score[off] == bestScore:
				best = append(best, off)
			}
		}
		if len(best) == 0 {
			return nil, fmt.Errorf("class %d (%s): no noun synset after %s holds its words", i, strings.Join(syns, ", "), prev)
		}
		slices.Sort(best)
		offsets[i] = best[0]
		if pin, ok := pins[i]; ok {
			if !slices.Contains(best, pin) {
				return nil, fmt.Errorf("class %d (%s): the pin %s is not among its best candidates %v", i, syns[0], pin, best)
			}
			offsets[i] = pin
		}
		prev = offsets[i]
	}
	return offsets, nil
}

// ancestors returns every synset reachable from off through hypernyms, with
// the fewest steps it takes (off itself at 0).
func ancestors(off string, wn *wordNet) map[string]int {
	dist := map[string]int{off: 0}
	queue := []string{off}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, h := range wn.synsets[cur].hypers {
			if _, seen := dist[h]; !seen {
				dist[h] = dist[cur] + 1
				queue = append(queue, h)
			}
		}
	}
	return dist
}

// everyday gives a class's everyday name and category path.
func everyday(off string, syns []string, wn *wordNet, cats []*category) (string, []string) {
	up := ancestors(off, wn)
	type hit struct {
		cat    *category
		synset string
		dist   int
	}
	var hits []hit
	for _, c := range cats {
		for _, s := range c.synsets {
			if d, ok := up[s]; ok {
				hits = append(hits, hit{c, s, d})
			}
		}
	}
	var best *hit
	for i, h := range hits {
		moreSpecific := slices.ContainsFunc(hits, func(o hit) bool {
			_, below := ancestors(o.synset, wn)[h.synset]
			return o.synset != h.synset && below
		})
		if !moreSpecific && (best == nil || h.dist < best.dist) {
			best = &hits[i]
		}
	}
	if best == nil {
		return ownName(syns, wn, func(s string) bool { return s == off }, up), []string{fallback}
	}
	if !best.cat.group {
		return best.cat.name, best.cat.path()
	}
	belowCategory := func(s string) bool {
		up := ancestors(s, wn)
		return !slices.Contains(best.cat.synsets, s) && slices.ContainsFunc(best.cat.synsets, func(c string) bool {
			_, under := up[c]
			return under
		})
	}
	return ownName(syns, wn, belowCategory, up), append(best.cat.path(), best.cat.name)
}

// ownName shortens a label to the shortest word-suffix of a synonym that is a
// word of the class's synset or of an allowed ancestor.
func ownName(syns []string, wn *wordNet, allowed func(string) bool, up map[string]int) string {
	known := map[string]bool{}
	for s := range up {
		if allowed(s) {
			for _, w := range wn.synsets[s].words {
				known[strings.ToLower(w)] = true
			}
		}
	}
	name := syns[0]
	shortest := len(strings.Fields(name))
	for _, syn := range syns {
		words := strings.Fields(syn)
		for k := len(words) - 1; k >= 1; k-- {
			suffix := strings.Join(words[k:], " ")
			if len(words)-k < shortest && known[wordKey(suffix)] {
				name, shortest = suffix, len(words)-k
			}
		}
	}
	return name
}
