package sidecar

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// fresh is the sidecar Spotter starts from when a photo has none: the same merge then fills it,
// so a new file and an existing one go through one path.
const fresh = `<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Spotter">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`

type edit struct {
	start, end int
	text       string
}

// errNoBag means a keyword list exists in a form Spotter cannot add to without rewriting
// someone else's property.
var errNoBag = errors.New("no rdf:Bag")

// errOverlap is a bug in Spotter, never in the file: two edits claim the same bytes.
var errOverlap = errors.New("two of Spotter's edits overlap")

// merge puts k into doc: the person's keywords stay, Spotter's earlier ones give way to k's.
// c.Changed is false, and out is doc's own bytes, when the sidecar already says exactly this.
// created says Spotter is making the file now.
func merge(doc *document, k Keywords, created bool) (out []byte, c Change, err error) {
	v := doc.view()
	var prev Keywords
	if v.record != nil {
		prev = *v.record
		created = created || v.created
	}
	var ins []edit
	var block []string // properties that exist nowhere yet, with Spotter's record after them
	var own [len(lists)][]string
	var diffs [len(lists)]Diff
	want := wanted(k)
	unchanged := v.record != nil && prev.Class == k.Class && prev.Model == k.Model &&
		formatFloat(prev.Probability) == formatFloat(k.Probability)
	for i, l := range lists {
		var add []string
		diffs[i], own[i], add = reconcile(v.bags[i], v.owned[i], want[i])
		switch {
		case l.prop == "" && (len(v.bags[i]) == 0 || v.bags[i][0].container == nil):
			// A list Spotter only adds to where it exists (and holds a container): nothing of
			// Spotter's is in it.
			own[i], diffs[i].Added = nil, nil
		case len(add) == 0:
		case len(v.bags[i]) == 0:
			block = append(block, bagLines(l.prop, "rdf", add)...)
		case v.bags[i][0].container == nil:
			return nil, c, fmt.Errorf("%s: %w", qname(v.bags[i][0].prop.prefix, l.local), errNoBag)
		default:
			b := v.bags[i][0].container
			items := make([]string, len(add))
			for j, s := range add {
				items[j] = textElement(qname(b.prefix, "li"), s)
			}
			ins = append(ins, doc.insertChildren(b, lines(doc.childIndent(b), items)))
		}
	}
	for i := range lists {
		unchanged = unchanged && len(diffs[i].Added)+len(diffs[i].Removed) == 0 && sameSet(v.owned[i], own[i])
	}
	// Spotter's regions are rewritten whole; someone else's stay, and then
	// Spotter adds none.
	faces := ""
	if v.ownFaces != "" || len(v.regions) == 0 {
		faces = formatFaces(k)
		if faces != v.ownFaces {
			c.Faces = len(k.Faces)
		}
	}
	unchanged = unchanged && faces == v.ownFaces
	c.Subjects, c.Hierarchies = diffs[listSubjects], diffs[listHierarchies]
	if unchanged {
		return doc.src, c, nil
	}
	c.Changed = true
	if v.ownFaces != "" {
		for _, r := range v.regions {
			r.drop = true
		}
	}
	for _, e := range v.ownElems {
		e.drop = true
	}
	for _, a := range v.ownAttrs {
		a.drop = true
	}
	if anchor, prefix := v.anchor(); anchor != nil && len(block) == 0 {
		ins = append(ins, doc.insertChildren(anchor, lines(doc.childIndent(anchor), recordLines(prefix, anchor.prefix, k, own, faces, created))))
	} else {
		ins = append(ins, doc.newBlock(append(block, recordLines("spotter", "rdf", k, own, faces, created)...)))
	}
	out, err = doc.render(ins)
	return out, c, err
}

// unmerge takes away Spotter's keywords and record. empty says that nothing but the XMP frame
// is left, so a file Spotter created can go.
func unmerge(doc *document) (out []byte, c Change, empty bool, err error) {
	v := doc.view()
	if v.record == nil {
		return doc.src, c, false, nil
	}
	c.Changed = true
	touched := map[*element]bool{}
	var diffs [len(lists)]Diff
	for i := range lists {
		for _, b := range v.bags[i] {
			n := 0
			for _, li := range b.items {
				if s, ok := value(li); ok && slices.Contains(v.owned[i], s) {
					li.drop = true
					n++
					diffs[i].Removed = appendNew(diffs[i].Removed, s)
				}
			}
			if n > 0 && n == len(b.items) {
				b.prop.drop = true
				touched[b.prop.parent] = true
			}
		}
	}
	c.Subjects, c.Hierarchies = diffs[listSubjects], diffs[listHierarchies]
	if v.ownFaces != "" {
		c.Faces = strings.Count(v.ownFaces, ";") + 1
		for _, r := range v.regions {
			r.drop = true
			touched[r.parent] = true
		}
	}
	for _, e := range v.ownElems {
		e.drop = true
		touched[e.parent] = true
	}
	for _, a := range v.ownAttrs {
		a.drop = true
	}
	for _, d := range v.descs {
		for _, a := range d.attrs {
			if a.drop {
				touched[d] = true
			}
		}
	}
	if !doc.uses(doc.root, Namespace) {
		doc.dropDeclarations(doc.root, Namespace)
	}
	for _, d := range v.descs {
		if touched[d] && bare(d) {
			d.drop = true
		}
	}
	out, err = doc.render(nil)
	if err != nil || !v.created {
		return out, c, false, err
	}
	left, err := parse(out)
	if err != nil {
		return nil, c, false, err
	}
	return out, c, holdsNothing(left), nil
}

// reconcile works out one keyword list. The person's values are those in the file that Spotter
// did not add; a wanted value the person already has stays theirs and is not claimed.
func reconcile(bags []*bag, prev, want []string) (d Diff, own, add []string) {
	have := allValues(bags)
	for _, b := range bags {
		for _, li := range b.items {
			if s, ok := value(li); ok && slices.Contains(prev, s) && !slices.Contains(want, s) {
				li.drop = true
				d.Removed = appendNew(d.Removed, s)
			}
		}
	}
	for _, s := range want {
		if s == "" || slices.Contains(own, s) || slices.Contains(d.Present, s) {
			continue
		}
		person := slices.Contains(have, s) && !slices.Contains(prev, s)
		if !person {
			own = append(own, s)
		}
		if slices.Contains(have, s) {
			d.Present = append(d.Present, s)
		} else {
			add = append(add, s)
			d.Added = append(d.Added, s)
		}
	}
	return d, own, add
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

// anchor is the Description that held Spotter's record, if the record can be written back into
// it as elements: that keeps a rewritten sidecar shaped as it was.
func (v *view) anchor() (*element, string) {
	var desc *element
	var prefix string
	switch {
	case len(v.ownElems) > 0:
		desc, prefix = v.ownElems[0].parent, v.ownElems[0].prefix
	case len(v.ownAttrs) > 0:
		for _, d := range v.descs {
			if slices.Contains(d.attrs, v.ownAttrs[0]) {
				desc, prefix = d, v.ownAttrs[0].prefix
			}
		}
	}
	if desc == nil || desc.selfClosing() || desc.resolve(prefix) != Namespace || desc.resolve(desc.prefix) != nsRDF {
		return nil, ""
	}
	return desc, prefix
}

// uses says whether anything left under e is in namespace ns.
func (d *document) uses(e *element, ns string) bool {
	if e.drop {
		return false
	}
	if e.space == ns {
		return true
	}
	for _, a := range e.attrs {
		if !a.drop && a.space == ns {
			return true
		}
	}
	for _, c := range e.children {
		if d.uses(c, ns) {
			return true
		}
	}
	return false
}

func (d *document) dropDeclarations(e *element, ns string) {
	for _, a := range e.attrs {
		if a.prefix == "xmlns" && a.value == ns {
			a.drop = true
		}
	}
	for _, c := range e.children {
		d.dropDeclarations(c, ns)
	}
}

// bare says a Description holds no property any more, only its frame.
func bare(d *element) bool {
	for _, c := range d.children {
		if !c.drop {
			return false
		}
	}
	for _, a := range d.attrs {
		if !a.drop && !frameAttr(a) {
			return false
		}
	}
	return true
}

func frameAttr(a *attribute) bool {
	return a.prefix == "xmlns" || (a.prefix == "" && a.local == "xmlns") || (a.space == nsRDF && a.local == "about")
}

// holdsNothing says a sidecar has no property left in any form.
func holdsNothing(doc *document) bool {
	if doc.root != doc.rdf && len(doc.root.children) > 1 {
		return false
	}
	for _, c := range doc.rdf.children {
		if !c.is(nsRDF, "Description") || !bare(c) {
			return false
		}
	}
	return true
}

// wsStart is where the whitespace before e begins, so that taking e away takes its line too.
func (d *document) wsStart(e *element) int {
	i := e.start
	for i > 0 && isSpaceByte(d.src[i-1]) {
		i--
	}
	return i
}

// indent is the whitespace that starts e's line, "" when e does not start a line.
func (d *document) indent(e *element) string {
	ws := d.src[d.wsStart(e):e.start]
	i := bytes.LastIndexByte(ws, '\n')
	if i < 0 {
		return ""
	}
	return string(ws[i+1:])
}

func (d *document) childIndent(parent *element) string {
	if n := len(parent.children); n > 0 {
		return d.indent(parent.children[n-1])
	}
	return d.indent(parent) + " "
}

// lines puts each line on its own line at indent ind.
func lines(ind string, ls []string) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString("\n" + ind + l)
	}
	return b.String()
}

// insertChildren appends text (starting with its own line break) after parent's last child.
func (d *document) insertChildren(parent *element, text string) edit {
	if parent.selfClosing() {
		return edit{parent.openEnd - 2, parent.openEnd, ">" + text + "\n" + d.indent(parent) + "</" + parent.qname() + ">"}
	}
	at := parent.openEnd
	if n := len(parent.children); n > 0 {
		at = parent.children[n-1].end
	}
	return edit{at, at, text}
}

// newBlock adds an rdf:Description of Spotter's own after the others, declaring every namespace
// it uses itself so that no prefix of the file is touched.
func (d *document) newBlock(props []string) edit {
	rdf := d.rdf
	about := ""
	sep := "\n" + d.childIndent(rdf)
	for _, c := range rdf.children {
		if c.is(nsRDF, "Description") {
			sep = string(d.src[d.wsStart(c):c.start])
			if a := c.attr(nsRDF, "about"); a != nil {
				about = a.value
			}
			break
		}
	}
	ind := sep[strings.LastIndexByte(sep, '\n')+1:]
	decls := []string{"dc", nsDC, "lr", nsLR, "spotter", Namespace}
	if rdf.prefix != "rdf" {
		decls = append([]string{"rdf", nsRDF}, decls...)
	}
	var b strings.Builder
	b.WriteString(sep + `<rdf:Description rdf:about="` + escape(about) + `"`)
	for i := 0; i < len(decls); i += 2 {
		if decls[i] == "rdf" || slices.ContainsFunc(props, func(l string) bool { return strings.Contains(l, "<"+decls[i]+":") }) {
			b.WriteString("\n" + ind + "  xmlns:" + decls[i] + `="` + decls[i+1] + `"`)
		}
	}
	b.WriteString(">" + lines(ind+" ", props) + "\n" + ind + "</rdf:Description>")
	return d.insertChildren(rdf, b.String())
}

func textElement(name, text string) string {
	return "<" + name + ">" + escape(text) + "</" + name + ">"
}

// recordLines writes Spotter's record with the prefixes bound where it goes,
// and the face regions (faces, as formatFaces wrote them) before it.
func recordLines(prefix, rdf string, k Keywords, own [len(lists)][]string, faces string, created bool) []string {
	p := func(local string) string { return qname(prefix, local) }
	var lines []string
	if k.Class != "" {
		lines = append(lines, textElement(p("class"), k.Class))
	}
	lines = append(lines, textElement(p("probability"), formatFloat(k.Probability)))
	if k.Model != "" {
		lines = append(lines, textElement(p("classifier"), k.Model))
	}
	if !k.Date.IsZero() {
		lines = append(lines, textElement(p("taggedOn"), k.Date.UTC().Format(time.RFC3339)))
	}
	lines = append(lines, textElement(p("createdSidecar"), xmpBool[created]))
	if faces != "" {
		lines = append(regionLines(rdf, k), lines...)
		lines = append(lines, textElement(p("faceRegions"), faces))
	}
	for i, l := range lists {
		if len(own[i]) > 0 {
			lines = append(lines, bagLines(p(l.owned), rdf, own[i])...)
		}
	}
	return lines
}

// The namespaces of MWG regions and the structures they hold.
const (
	nsRegions    = "http://www.metadataworkinggroup.com/schemas/regions/"
	nsDimensions = "http://ns.adobe.com/xap/1.0/sType/Dimensions#"
	nsArea       = "http://ns.adobe.com/xmp/sType/Area#"
)

// formatFaces is Spotter's record of the face regions it writes for k
// ("x,y,w,h;…"), "" for none: comparing it tells whether they changed.
func formatFaces(k Keywords) string {
	if len(k.Faces) == 0 {
		return ""
	}
	areas := make([]string, len(k.Faces))
	for i, f := range k.Faces {
		areas[i] = strings.Join([]string{formatFloat(f.X), formatFloat(f.Y), formatFloat(f.W), formatFloat(f.H)}, ",")
	}
	return strings.Join(areas, ";")
}

// regionLines writes k's faces as unnamed MWG face regions. The property
// declares its own namespaces, so it fits in any Description without
// touching the file's prefixes.
func regionLines(rdf string, k Keywords) []string {
	q := func(local string) string { return qname(rdf, local) }
	lines := []string{
		`<mwg-rs:Regions xmlns:mwg-rs="` + nsRegions + `" xmlns:stDim="` + nsDimensions + `" xmlns:stArea="` + nsArea + `" ` + q("parseType") + `="Resource">`,
		fmt.Sprintf(` <mwg-rs:AppliedToDimensions stDim:w="%d" stDim:h="%d" stDim:unit="pixel"/>`, k.Dimensions[0], k.Dimensions[1]),
		` <mwg-rs:RegionList>`,
		`  <` + q("Bag") + `>`,
	}
	for _, f := range k.Faces {
		lines = append(lines,
			`   <`+q("li")+` `+q("parseType")+`="Resource">`,
			`    <mwg-rs:Type>Face</mwg-rs:Type>`,
			fmt.Sprintf(`    <mwg-rs:Area stArea:x="%s" stArea:y="%s" stArea:w="%s" stArea:h="%s" stArea:unit="normalized"/>`,
				formatFloat(f.X), formatFloat(f.Y), formatFloat(f.W), formatFloat(f.H)),
			`   </`+q("li")+`>`)
	}
	return append(lines, `  </`+q("Bag")+`>`, ` </mwg-rs:RegionList>`, `</mwg-rs:Regions>`)
}

// bagLines writes a list property, one line each, indented relative to the first.
func bagLines(prop, rdf string, values []string) []string {
	q := func(local string) string { return qname(rdf, local) }
	lines := []string{"<" + prop + ">", " <" + q("Bag") + ">"}
	for _, s := range values {
		lines = append(lines, "  "+textElement(q("li"), s))
	}
	return append(lines, " </"+q("Bag")+">", "</"+prop+">")
}

var xmpBool = map[bool]string{true: "True", false: "False"}

func formatFloat(p float32) string { return strconv.FormatFloat(float64(p), 'f', -1, 32) }

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// checkText refuses what an XMP file cannot hold, instead of writing a replacement character.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%q is not valid UTF-8 text", s)
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return fmt.Errorf("%q holds the control character %U, which an XMP file cannot", s, r)
		}
	}
	return nil
}

func (d *document) render(ins []edit) ([]byte, error) {
	var edits []edit
	var walk func(e *element)
	walk = func(e *element) {
		if e.drop {
			edits = append(edits, edit{d.wsStart(e), e.end, ""})
			return
		}
		for _, a := range e.attrs {
			if a.drop {
				// An attribute glued to the next one (a="1"b="2", which encoding/xml accepts)
				// leaves a space behind so that the next stays apart from the name.
				gap := ""
				if next := d.src[a.end]; !isSpaceByte(next) && next != '/' && next != '>' {
					gap = " "
				}
				edits = append(edits, edit{a.start, a.end, gap})
			}
		}
		for _, c := range e.children {
			walk(c)
		}
	}
	walk(d.root)
	if bytes.Contains(d.src, []byte("\r\n")) {
		// A file with Windows line ends gets them in Spotter's lines too.
		for i := range ins {
			ins[i].text = strings.ReplaceAll(strings.ReplaceAll(ins[i].text, "\r\n", "\n"), "\n", "\r\n")
		}
	}
	edits = append(edits, ins...)
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].start != edits[j].start {
			return edits[i].start < edits[j].start
		}
		return edits[i].end < edits[j].end
	})
	out := make([]byte, 0, len(d.src)+1024)
	pos := 0
	for _, e := range edits {
		if e.start < pos {
			return nil, fmt.Errorf("%w at byte %d", errOverlap, e.start)
		}
		out = append(out, d.src[pos:e.start]...)
		out = append(out, e.text...)
		pos = e.end
	}
	return append(out, d.src[pos:]...), nil
}
