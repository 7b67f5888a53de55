package sidecar

import (
	"strconv"
	"time"
)

// Namespace is Spotter's XMP namespace. Its properties (prefix "spotter") record what the model
// said and which keywords Spotter added, so they can be told from the person's own:
// class, probability, classifier (the model), taggedOn, createdSidecar (Spotter made the file),
// subjects and hierarchicalSubjects (the dc:subject and lr:hierarchicalSubject values it added).
// The names keep clear of exiftool's common tag names (Model, Date) when it lists them flat.
const Namespace = "https://github.com/spotter-app/spotter/xmp/1.0/"

// bag is one list property (dc:subject, lr:hierarchicalSubject) as written in the file.
type bag struct {
	prop      *element
	container *element // rdf:Bag (or Seq/Alt); nil when the property holds no container
	items     []*element
}

// view is what Spotter reads from a parsed sidecar.
type view struct {
	descs     []*element // the rdf:Description elements of rdf:RDF
	subject   []*bag
	hierarchy []*bag
	record    *Keywords // Spotter's record, nil when there is none
	created   bool
	// the elements and attributes in Spotter's namespace
	ownElems []*element
	ownAttrs []*attribute
}

func (d *document) view() *view {
	v := &view{}
	rec := map[string]string{}
	var owned, ownedPaths []string
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
		for _, p := range desc.children {
			switch {
			case p.is(nsDC, "subject"):
				v.subject = append(v.subject, newBag(p))
			case p.is(nsLR, "hierarchicalSubject"):
				v.hierarchy = append(v.hierarchy, newBag(p))
			case p.space == Namespace:
				v.ownElems = append(v.ownElems, p)
				switch p.local {
				case "subjects":
					owned = append(owned, newBag(p).values()...)
				case "hierarchicalSubjects":
					ownedPaths = append(ownedPaths, newBag(p).values()...)
				default:
					rec[p.local] = string(p.text)
				}
			}
		}
	}
	if len(v.ownElems) == 0 && len(v.ownAttrs) == 0 {
		return v
	}
	k := &Keywords{Subjects: owned, Hierarchies: ownedPaths, Class: rec["class"], Model: rec["classifier"]}
	if p, err := strconv.ParseFloat(rec["probability"], 32); err == nil {
		k.Probability = float32(p)
	}
	if t, err := time.Parse(time.RFC3339, rec["taggedOn"]); err == nil {
		k.Date = t
	}
	v.record = k
	v.created = rec["createdSidecar"] == "True"
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
