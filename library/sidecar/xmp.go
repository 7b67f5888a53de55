package sidecar

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Namespace is Spotter's XMP namespace. Its properties (prefix "spotter") record what the model
// said and which keywords Spotter added, so they can be told from the person's own:
// class, probability, classifier (the model), taggedOn, createdSidecar (Spotter made the file),
// faceRegions (the face areas of the file's mwg-rs:Regions, which Spotter wrote),
// subjects, hierarchicalSubjects, digiKamTags and microsoftKeywords (the values it added to
// dc:subject, lr:hierarchicalSubject, digiKam:TagsList and MicrosoftPhoto:LastKeywordXMP).
// The names keep clear of exiftool's common tag names (Model, Date) when it lists them flat.
const Namespace = "https://github.com/spotter-app/spotter/xmp/1.0/"

// list is a keyword list Spotter writes to, with the property of its own that records what it
// added there.
type list struct {
	spaces []string // the namespace names it is found under
	local  string
	prop   string // its qualified name in a Description of Spotter's; "" for a list Spotter only adds to where it exists
	owned  string
}

const (
	listSubjects = iota
	listHierarchies
	listDigiKamTags
	listMicrosoftKeywords
)

var lists = [...]list{
	listSubjects:    {[]string{nsDC}, "subject", "dc:subject", "subjects"},
	listHierarchies: {[]string{nsLR}, "hierarchicalSubject", "lr:hierarchicalSubject", "hierarchicalSubjects"},
	// digiKam reads the first of its tag lists that a file has and ignores the rest: its own,
	// then Windows Photo Gallery's, then lr:hierarchicalSubject. A keyword missing from the one
	// it reads is one digiKam never shows, so Spotter adds to those two where they exist.
	listDigiKamTags: {[]string{"http://www.digikam.org/ns/1.0/"}, "TagsList", "", "digiKamTags"},
	// exiv2 (digiKam, darktable) writes this namespace with a final slash, exiftool without.
	listMicrosoftKeywords: {[]string{"http://ns.microsoft.com/photo/1.0", "http://ns.microsoft.com/photo/1.0/"}, "LastKeywordXMP", "", "microsoftKeywords"},
}

func (l *list) is(e *element) bool { return e.local == l.local && slices.Contains(l.spaces, e.space) }

// wanted is what each list should hold of Spotter's for k.
func wanted(k Keywords) [len(lists)][]string {
	tags := make([]string, len(k.Hierarchies))
	for i, h := range k.Hierarchies {
		tags[i] = strings.ReplaceAll(h, "|", "/")
	}
	return [...][]string{listSubjects: k.Subjects, listHierarchies: k.Hierarchies, listDigiKamTags: tags, listMicrosoftKeywords: tags}
}

// bag is one list property (dc:subject, lr:hierarchicalSubject) as written in the file.
type bag struct {
	prop      *element
	container *element // rdf:Bag (or Seq/Alt); nil when the property holds no container
	items     []*element
}

// view is what Spotter reads from a parsed sidecar.
type view struct {
	descs   []*element // the rdf:Description elements of rdf:RDF
	bags    [len(lists)][]*bag
	owned   [len(lists)][]string // what Spotter's record says it added to each list
	record  *Keywords            // Spotter's record, nil when there is none
	created bool
	// the elements and attributes in Spotter's namespace
	ownElems []*element
	ownAttrs []*attribute
	// regions are the mwg-rs:Regions properties; ownFaces is Spotter's
	// record of the faces it wrote as the one of them that is its own,
	// "" when none is.
	regions  []*element
	ownFaces string
}

func (d *document) view() *view {
	v := &view{}
	rec := map[string]string{}
	for _, desc := range d.rdf.children {
		if !desc.is(nsRDF, "Description") {
			continue
		}
		v.descs = append(v.descs, desc)
		for _, a := range desc.attrs {
			if a.space == Namespace {
				v.ownAttrs = append(v.ownAttrs, a)
				rec[a.local] = a.value
			}
		}
	children:
		for _, p := range desc.children {
			for i, l := range lists {
				switch {
				case l.is(p):
					v.bags[i] = append(v.bags[i], newBag(p))
					continue children
				case p.is(Namespace, l.owned):
					v.ownElems = append(v.ownElems, p)
					v.owned[i] = append(v.owned[i], newBag(p).values()...)
					continue children
				}
			}
			if p.is(nsRegions, "Regions") {
				v.regions = append(v.regions, p)
			}
			if p.space == Namespace {
				v.ownElems = append(v.ownElems, p)
				rec[p.local] = string(p.text)
			}
		}
	}
	if len(v.ownElems) == 0 && len(v.ownAttrs) == 0 {
		return v
	}
	k := &Keywords{Subjects: v.owned[listSubjects], Hierarchies: v.owned[listHierarchies], Class: rec["class"], Model: rec["classifier"]}
	if p, err := strconv.ParseFloat(rec["probability"], 32); err == nil {
		k.Probability = float32(p)
	}
	if t, err := time.Parse(time.RFC3339, rec["taggedOn"]); err == nil {
		k.Date = t
	}
	v.record = k
	v.created = rec["createdSidecar"] == "True"
	v.ownFaces = rec["faceRegions"]
	return v
}

func newBag(p *element) *bag {
	b := &bag{prop: p}
	for _, c := range p.children {
		if c.space == nsRDF && (c.local == "Bag" || c.local == "Seq" || c.local == "Alt") {
			b.container = c
			break
		}
	}
	if b.container == nil {
		return b
	}
	for _, li := range b.container.children {
		if li.is(nsRDF, "li") {
			b.items = append(b.items, li)
		}
	}
	return b
}

// value is a list item's text; an item holding a structure is no keyword and matches nothing.
func value(li *element) (string, bool) {
	if len(li.children) > 0 {
		return "", false
	}
	return string(li.text), true
}

func (b *bag) values() []string {
	var vs []string
	for _, li := range b.items {
		if s, ok := value(li); ok && s != "" {
			vs = append(vs, s)
		}
	}
	return vs
}

func allValues(bags []*bag) []string {
	var vs []string
	for _, b := range bags {
		vs = append(vs, b.values()...)
	}
	return vs
}
