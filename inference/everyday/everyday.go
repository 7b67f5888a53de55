// Package everyday scores what Spotter says of photos against a labelled
// set (../shared/everyday-dev's EXPECTED.tsv): the words a person would
// search for, the other true words, the wrong ones, and how many people
// each photo shows. The same scoring serves `make bench` and the test that
// holds Spotter to its precision targets.
package everyday

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// Photo is one labelled photo.
type Photo struct {
	File     string
	Category string
	Must     []string // naming any one names the photo's subject
	Also     []string // also true
	Never    []string // clearly wrong
	People   int      // -1 when no person is clearly visible
}

// Load reads EXPECTED.tsv from dir.
func Load(dir string) ([]Photo, error) {
	f, err := os.Open(filepath.Join(dir, "EXPECTED.tsv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Photo
	sc := bufio.NewScanner(f)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) < 6 {
			continue
		}
		p := Photo{File: fs[0], Category: fs[1], Must: split(fs[2]), Also: split(fs[3]), Never: split(fs[4]), People: -1}
		if fs[5] != "" {
			if p.People, err = strconv.Atoi(fs[5]); err != nil {
				return nil, fmt.Errorf("%s: people %q: %v", p.File, fs[5], err)
			}
		}
		out = append(out, p)
	}
	return out, sc.Err()
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// Document reports whether the photo is a document or a screenshot, which
// the right-keyword target leaves out.
func (p Photo) Document() bool { return p.Category == "document" }

// crowd is where a count is an estimate: the set's README scores those
// within 30 %.
const crowd = 7

// Said is what Spotter said of one photo.
type Said struct {
	Keywords []string
	People   int
}

// Verdict is one photo's score.
type Verdict struct {
	Right, Wrong []string // the keywords that are true (must or also) and not
	Named        bool     // a must word is among the keywords
	PeopleNamed  bool     // a people word is among the keywords
	CountRight   bool     // the count is right, as Score says
}

// peopleWords are the keywords that say there are people.
var peopleWords = map[string]bool{"person": true, "people": true, "group": true, "portrait": true, "crowd": true}

// Judge scores what was said of p. A keyword is right when it, or its
// singular, is one of the must or also words; "people" words are right
// where the photo has people.
func Judge(p Photo, s Said) Verdict {
	var v Verdict
	for _, k := range s.Keywords {
		switch {
		case in(k, p.Must):
			v.Right = append(v.Right, k)
			v.Named = true
		case in(k, p.Also), peopleWords[k] && p.People > 0 && (k != "group" || p.People >= 3) && (k != "portrait" || in("portrait", p.Must)):
			v.Right = append(v.Right, k)
		default:
			v.Wrong = append(v.Wrong, k)
		}
		if peopleWords[k] {
			v.PeopleNamed = true
		}
	}
	v.CountRight = CountRight(p.People, s.People)
	return v
}

// CountRight: exact for one or two people, within one for three to six,
// within 30 % for crowds.
func CountRight(want, got int) bool {
	switch {
	case want <= 0:
		return got == 0
	case want <= 2:
		return got == want
	case want < crowd:
		return math.Abs(float64(got-want)) <= 1
	default:
		return math.Abs(float64(got-want)) <= 0.3*float64(want)
	}
}

// in reports whether w, or its head noun (the last word of "baseball
// bat"), is one of set, singular or plural.
func in(w string, set []string) bool {
	words := strings.Fields(w)
	for _, s := range set {
		if strings.EqualFold(singular(w), singular(s)) || len(words) > 1 && strings.EqualFold(singular(words[len(words)-1]), singular(s)) {
			return true
		}
	}
	return false
}

func singular(w string) string {
	w = strings.ToLower(w)
	switch {
	case strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "ses"), strings.HasSuffix(w, "xes"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return w[:len(w)-1]
	}
	return w
}

// Scores are the set's shares, each over the photos it counts.
type Scores struct {
	Photos, NotDocuments, WithPeople, Counted int
	// RightKeyword: photos that are not documents with a must word among
	// the keywords; WrongKeyword: photos with any keyword not true of them;
	// Precision: true keywords over all keywords written; PeopleNamed:
	// photos with people where a people word is written; CountRight: photos
	// with people whose count is right.
	RightKeyword, WrongKeyword, Precision, PeopleNamed, CountRight float64
	// Documents are the document photos (pages, receipts, signs, a
	// screenshot); DocumentsNamed the share with a must word among the
	// keywords. CalledDocument counts photos of other categories given a
	// word only text earns (textOnly).
	Documents      int
	DocumentsNamed float64
	CalledDocument int
}

// textOnly are the keywords that say a photo is mostly text: wrong on
// any photo that is not.
var textOnly = map[string]bool{"document": true, "screenshot": true, "receipt": true}

// Score sums the verdicts of photos (in the same order).
func Score(photos []Photo, verdicts []Verdict) Scores {
	var s Scores
	var right, wrong, kwRight, kwAll, named, counted, docsNamed int
	for i, p := range photos {
		v := verdicts[i]
		s.Photos++
		if !p.Document() {
			s.NotDocuments++
			if v.Named {
				right++
			}
			for _, k := range append(v.Right, v.Wrong...) {
				if textOnly[k] {
					s.CalledDocument++
					break
				}
			}
		} else {
			s.Documents++
			if v.Named {
				docsNamed++
			}
		}
		if len(v.Wrong) > 0 {
			wrong++
		}
		kwRight += len(v.Right)
		kwAll += len(v.Right) + len(v.Wrong)
		if p.People > 0 {
			s.WithPeople++
			if v.PeopleNamed {
				named++
			}
			if v.CountRight {
				counted++
			}
		}
	}
	s.Counted = s.WithPeople
	s.RightKeyword = share(right, s.NotDocuments)
	s.WrongKeyword = share(wrong, s.Photos)
	s.Precision = share(kwRight, kwAll)
	s.PeopleNamed = share(named, s.WithPeople)
	s.CountRight = share(counted, s.Counted)
	s.DocumentsNamed = share(docsNamed, s.Documents)
	return s
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// LoadText reads TEXT.tsv from dir: for some photos, words printed in them
// that a search should find them by.
func LoadText(dir string) (map[string][]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "TEXT.tsv"))
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		fs := strings.Split(line, "\t")
		if strings.HasPrefix(line, "#") || len(fs) != 2 {
			continue
		}
		out[fs[0]] = split(fs[1])
	}
	return out, nil
}

// Found lists the words that are among text's words, ignoring case, as a
// full-text search matches them.
func Found(text string, words []string) []string {
	have := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		have[w] = true
	}
	var out []string
	for _, w := range words {
		if have[strings.ToLower(w)] {
			out = append(out, w)
		}
	}
	return out
}
