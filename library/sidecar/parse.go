package sidecar

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// The parser keeps every element's byte span so that edits are spliced into the original bytes:
// what Spotter does not own is written back exactly as it was read, prefixes, quotes, padding
// and all. encoding/xml's Encoder cannot promise that (it renames namespace prefixes).

const (
	nsRDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsDC  = "http://purl.org/dc/elements/1.1/"
	nsLR  = "http://ns.adobe.com/lightroom/1.0/"
	nsXML = "http://www.w3.org/XML/1998/namespace"
)

type element struct {
	parent        *element
	prefix, local string // as written
	space         string // the namespace the prefix stands for, "" when unbound
	ns            map[string]string
	// start..openEnd is the start tag, closeStart..end the end tag; a self-closing element has
	// openEnd == closeStart == end.
	start, openEnd, closeStart, end int
	attrs                           []*attribute
	children                        []*element
	text                            []byte // character data directly inside
	drop                            bool
}

type attribute struct {
	prefix, local, space, value string
	start, end                  int // from the whitespace before the name to the closing quote
	drop                        bool
}

type document struct {
	src  []byte
	root *element
	rdf  *element
}

// errCutOff and errNotXMP carry the parser's detail; the caller words them for the person.
var errCutOff = errors.New("the file ends in the middle of the XML")

type notXMPError struct{ why string }

func (e *notXMPError) Error() string { return e.why }

func notXMP(format string, a ...any) error { return &notXMPError{fmt.Sprintf(format, a...)} }

func (e *element) is(space, local string) bool { return e.space == space && e.local == local }

func (e *element) selfClosing() bool { return e.end == e.openEnd }

func (e *element) qname() string { return qname(e.prefix, e.local) }

func qname(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}

func (e *element) attr(space, local string) *attribute {
	for _, a := range e.attrs {
		if a.space == space && a.local == local {
			return a
		}
	}
	return nil
}

func parse(src []byte) (*document, error) {
	d := xml.NewDecoder(bytes.NewReader(src))
	d.Strict = true
	doc := &document{src: src}
	var stack []*element
	pos := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			if len(stack) > 0 {
				return nil, errCutOff
			}
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) && se.Msg == "unexpected EOF" {
				return nil, errCutOff
			}
			return nil, notXMP("%v", err)
		}
		end := int(d.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && doc.root != nil {
				return nil, notXMP("a second top-level element <%s> follows the first", rawName(t.Name))
			}
			e, err := newElement(src, pos, end, t, stack)
			if err != nil {
				return nil, err
			}
			if len(stack) == 0 {
				doc.root = e
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, notXMP("</%s> closes nothing", rawName(t.Name))
			}
			e := stack[len(stack)-1]
			if t.Name.Space != e.prefix || t.Name.Local != e.local {
				return nil, notXMP("<%s> is closed by </%s>", e.qname(), rawName(t.Name))
			}
			e.closeStart, e.end = pos, end
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				e := stack[len(stack)-1]
				e.text = append(e.text, t...)
			} else if !isSpace(bytes.TrimPrefix(t, []byte("\uFEFF"))) || (pos > 0 && bytes.HasPrefix(t, []byte("\uFEFF"))) {
				return nil, notXMP("it has text outside its top-level element")
			}
		}
		pos = end
	}
	if doc.root == nil {
		return nil, notXMP("it holds no XML element")
	}
	doc.rdf = findRDF(doc.root)
	if doc.rdf == nil {
		return nil, notXMP("it has no rdf:RDF element")
	}
	return doc, nil
}

func rawName(n xml.Name) string { return qname(n.Space, n.Local) }

// findRDF accepts rdf:RDF at the top (a bare RDF file) or inside the x:xmpmeta wrapper.
func findRDF(root *element) *element {
	if root.is(nsRDF, "RDF") {
		return root
	}
	for _, c := range root.children {
		if c.is(nsRDF, "RDF") {
			return c
		}
	}
	return nil
}

func newElement(src []byte, start, openEnd int, t xml.StartElement, stack []*element) (*element, error) {
	e := &element{prefix: t.Name.Space, local: t.Name.Local, start: start, openEnd: openEnd, closeStart: openEnd, end: openEnd}
	spans := attributeSpans(src[start:openEnd])
	if len(spans) != len(t.Attr) {
		return nil, notXMP("the start tag <%s> could not be read", e.qname())
	}
	if len(stack) > 0 {
		e.parent = stack[len(stack)-1]
		e.ns = e.parent.ns
	}
	declared := false
	for i, a := range t.Attr {
		at := &attribute{prefix: a.Name.Space, local: a.Name.Local, value: a.Value, start: start + spans[i][0], end: start + spans[i][1]}
		e.attrs = append(e.attrs, at)
		if at.prefix == "xmlns" || (at.prefix == "" && at.local == "xmlns") {
			if !declared {
				ns := make(map[string]string, len(e.ns)+2)
				for k, v := range e.ns {
					ns[k] = v
				}
				e.ns, declared = ns, true
			}
			if at.prefix == "" {
				e.ns[""] = at.value
			} else {
				e.ns[at.local] = at.value
			}
		}
	}
	e.space = e.resolve(e.prefix)
	for _, a := range e.attrs {
		if a.prefix != "" && a.prefix != "xmlns" {
			a.space = e.resolve(a.prefix)
		}
	}
	return e, nil
}

func (e *element) resolve(prefix string) string {
	if prefix == "xml" {
		return nsXML
	}
	return e.ns[prefix]
}

// attributeSpans finds each attribute of a start tag already checked by the decoder, from the
// whitespace before its name to its closing quote, so one attribute can be cut out alone.
func attributeSpans(tag []byte) [][2]int {
	i := 1
	for i < len(tag) && !isSpaceByte(tag[i]) && tag[i] != '/' && tag[i] != '>' {
		i++
	}
	var spans [][2]int
	for {
		from := i
		for i < len(tag) && isSpaceByte(tag[i]) {
			i++
		}
		if i >= len(tag) || tag[i] == '/' || tag[i] == '>' {
			return spans
		}
		q := bytes.IndexAny(tag[i:], `"'`)
		if q < 0 {
			return spans
		}
		i += q
		close := bytes.IndexByte(tag[i+1:], tag[i])
		if close < 0 {
			return spans
		}
		i += close + 2
		spans = append(spans, [2]int{from, i})
	}
}

func isSpaceByte(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func isSpace(b []byte) bool {
	for _, c := range b {
		if !isSpaceByte(c) {
			return false
		}
	}
	return true
}
