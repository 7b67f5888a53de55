// Package heiftest makes HEIC, AVIF and JPEG XL files for tests: heif-enc,
// avifenc and cjxl encode them from any photo, and small edits of their boxes make the cases
// the encoders will not write (a rotation in HEIC, a missing primary image,
// a lone depth map, a header that claims 200 megapixels).
package heiftest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/jpeg" // Grid reads the size of its source
	_ "image/png"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
)

// Tool returns the path of a command-line tool, skipping the test when it
// is missing (failing it under CI=true).
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	inferencetest.Need(t, err == nil, name+" (apt-get install "+pkg+")")
	return p
}

// Run runs a command and fails the test with its output when it fails.
func Run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// HEIC encodes src (a JPEG or PNG) into dir/name with heif-enc and returns
// the file's path. args go to heif-enc before the input, e.g. "-q", "90".
// heif-enc writes 10 bits ("-b", "10") only from a 16-bit PNG: see PNG16.
func HEIC(t testing.TB, src, dir, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	Run(t, Tool(t, "heif-enc", "libheif-examples"), append(append(args, "-o", out), src)...)
	return out
}

// AVIF encodes src into dir/name with avifenc ("-d", "10" for 10 bits,
// "--irot", "1" to rotate, "-g", "2x2" for a grid).
func AVIF(t testing.TB, src, dir, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	Run(t, Tool(t, "avifenc", "libavif-bin"), append(append([]string{"-s", "8"}, args...), src, out)...)
	return out
}

// JXL encodes src into dir/name with cjxl: a JPEG is transcoded without
// loss (its EXIF orientation goes into the JPEG XL header), other images
// are compressed with args such as "-d", "1".
func JXL(t testing.TB, src, dir, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	Run(t, Tool(t, "cjxl", "libjxl-tools"), append([]string{src, out}, args...)...)
	return out
}

// Convert runs ImageMagick's convert: src, then args, into dir/name.
func Convert(t testing.TB, src, dir, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	Run(t, Tool(t, "convert", "imagemagick"), append(append([]string{src}, args...), out)...)
	return out
}

// PNG16 writes src as a 16-bit PNG, what heif-enc needs to write 10 bits.
func PNG16(t testing.TB, src, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "in16.png")
	// Without the PNG48 prefix an 8-bit source stays an 8-bit PNG.
	Run(t, Tool(t, "convert", "imagemagick"), src, "-depth", "16", "PNG48:"+out)
	return out
}

// Bits is the bit depth of the primary image's coded data, as heif-info
// reports it, so a test can tell that its 10-bit file really is one.
func Bits(t testing.TB, path string) int {
	t.Helper()
	out, err := exec.Command(Tool(t, "heif-info", "libheif-examples"), "-d", path).CombinedOutput()
	if err != nil {
		t.Fatalf("heif-info -d %s: %v\n%s", path, err, out)
	}
	dump := string(out)
	switch {
	case strings.Contains(dump, "twelve_bit: 1"):
		return 12
	case strings.Contains(dump, "high_bitdepth: 1"):
		return 10
	case strings.Contains(dump, "high_bitdepth: 0"):
		return 8
	}
	for _, line := range strings.Split(dump, "\n") {
		if _, v, ok := strings.Cut(line, "bit_depth_luma: "); ok {
			var bits int
			if _, err := fmt.Sscan(v, &bits); err == nil {
				return bits
			}
		}
	}
	t.Fatalf("heif-info does not say the bit depth of %s", path)
	return 0
}

// Read reads a file the test made.
func Read(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// box is an ISOBMFF box: its type, where it starts, where its children or
// payload start (after the header, and after version and flags for the
// full boxes this package reads) and where it ends.
type box struct {
	typ              string
	start, body, end int
}

var fullBoxes = map[string]bool{"meta": true, "iinf": true, "ipma": true, "iloc": true, "pitm": true, "infe": true, "ispe": true, "iref": true, "auxC": true}

// children lists the boxes in data[from:to]. Test files have 32-bit sizes.
func children(t testing.TB, data []byte, from, to int) []box {
	t.Helper()
	var out []box
	for p := from; p+8 <= to; {
		size := int(binary.BigEndian.Uint32(data[p:]))
		if size < 8 || p+size > to {
			t.Fatalf("box at %d has size %d, outside its parent", p, size)
		}
		b := box{typ: string(data[p+4 : p+8]), start: p, body: p + 8, end: p + size}
		if fullBoxes[b.typ] {
			b.body += 4
		}
		if b.typ == "iinf" { // its entry count
			b.body += 2
			if data[p+8] != 0 {
				b.body += 2
			}
		}
		out = append(out, b)
		p += size
	}
	return out
}

func find(t testing.TB, boxes []box, typ string) box {
	t.Helper()
	for _, b := range boxes {
		if b.typ == typ {
			return b
		}
	}
	t.Fatalf("no %q box", typ)
	return box{}
}

// file holds the boxes of a single-image file as heif-enc and avifenc
// write it: ftyp, meta (with hdlr, pitm, iloc, iinf, iprp), mdat.
type file struct {
	data                         []byte
	meta, pitm, iloc, iinf, iprp box
	ipco, ipma                   box
}

func parse(t testing.TB, data []byte) *file {
	t.Helper()
	f := &file{data: bytes.Clone(data)}
	f.meta = find(t, children(t, f.data, 0, len(f.data)), "meta")
	in := children(t, f.data, f.meta.body, f.meta.end)
	f.pitm, f.iloc, f.iinf, f.iprp = find(t, in, "pitm"), find(t, in, "iloc"), find(t, in, "iinf"), find(t, in, "iprp")
	props := children(t, f.data, f.iprp.body, f.iprp.end)
	f.ipco, f.ipma = find(t, props, "ipco"), find(t, props, "ipma")
	return f
}

func (f *file) version(b box) byte { return f.data[b.start+8] }

// primary is the pitm box's item ID.
func (f *file) primary() uint32 {
	if f.version(f.pitm) == 0 {
		return uint32(binary.BigEndian.Uint16(f.data[f.pitm.body:]))
	}
	return binary.BigEndian.Uint32(f.data[f.pitm.body:])
}

func (f *file) setPrimary(id uint32) {
	if f.version(f.pitm) == 0 {
		binary.BigEndian.PutUint16(f.data[f.pitm.body:], uint16(id))
	} else {
		binary.BigEndian.PutUint32(f.data[f.pitm.body:], id)
	}
}

// uint reads an n-byte big-endian number (n is 0, 2, 4 or 8).
func uintN(b []byte, n int) uint64 {
	var v uint64
	for i := 0; i < n; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func putUintN(b []byte, n int, v uint64) {
	for i := n - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}

// ilocItem is one item's entry in iloc: where its numbers sit in the file.
type ilocItem struct {
	id                         uint32
	method                     int // 0: offsets are into the file
	base                       int // position of the base offset
	offsets, lengths           []int
	baseSize, offSize, lenSize int
}

func (f *file) ilocItems(t testing.TB) []ilocItem {
	t.Helper()
	d, p, v := f.data, f.iloc.body, f.version(f.iloc)
	offSize, lenSize := int(d[p]>>4), int(d[p]&15)
	baseSize, idxSize := int(d[p+1]>>4), int(d[p+1]&15)
	if v == 0 {
		idxSize = 0
	}
	p += 2
	var n int
	if v < 2 {
		n, p = int(binary.BigEndian.Uint16(d[p:])), p+2
	} else {
		n, p = int(binary.BigEndian.Uint32(d[p:])), p+4
	}
	items := make([]ilocItem, n)
	for i := range items {
		it := &items[i]
		it.baseSize, it.offSize, it.lenSize = baseSize, offSize, lenSize
		if v < 2 {
			it.id, p = uint32(binary.BigEndian.Uint16(d[p:])), p+2
		} else {
			it.id, p = binary.BigEndian.Uint32(d[p:]), p+4
		}
		if v >= 1 {
			it.method, p = int(binary.BigEndian.Uint16(d[p:])&15), p+2
		}
		p += 2 // data reference index
		it.base = p
		p += baseSize
		extents := int(binary.BigEndian.Uint16(d[p:]))
		p += 2
		for range extents {
			p += idxSize
			it.offsets = append(it.offsets, p)
			it.lengths = append(it.lengths, p+offSize)
			p += offSize + lenSize
		}
	}
	if p > f.iloc.end {
		t.Fatalf("iloc is shorter than its items")
	}
	return items
}

// shiftData moves every file offset in iloc by delta, for bytes inserted
// in meta ahead of mdat.
func (f *file) shiftData(t testing.TB, delta int) {
	t.Helper()
	d := f.data
	for _, it := range f.ilocItems(t) {
		switch {
		case it.method != 0:
		case it.baseSize > 0:
			putUintN(d[it.base:], it.baseSize, uintN(d[it.base:], it.baseSize)+uint64(delta))
		default:
			for _, o := range it.offsets {
				putUintN(d[o:], it.offSize, uintN(d[o:], it.offSize)+uint64(delta))
			}
		}
	}
}

// itemData is the data of an item stored in the file (not in idat).
func (f *file) itemData(t testing.TB, id uint32) []byte {
	t.Helper()
	for _, it := range f.ilocItems(t) {
		if it.id != id {
			continue
		}
		if it.method != 0 {
			t.Fatalf("item %d is not stored in the file", id)
		}
		base := uintN(f.data[it.base:], it.baseSize)
		var out []byte
		for i, o := range it.offsets {
			off := base + uintN(f.data[o:], it.offSize)
			out = append(out, f.data[off:off+uintN(f.data[it.lengths[i]:], it.lenSize)]...)
		}
		return out
	}
	t.Fatalf("no item %d in iloc", id)
	return nil
}

// insert puts each chunk at its offset (given in the unedited file) and
// grows the boxes that contain it.
func (f *file) insert(t testing.TB, at map[int][]byte, parents ...box) []byte {
	t.Helper()
	total := 0
	for off, b := range at {
		total += len(b)
		for _, p := range parents {
			if off > p.start && off <= p.end {
				binary.BigEndian.PutUint32(f.data[p.start:], binary.BigEndian.Uint32(f.data[p.start:])+uint32(len(b)))
			}
		}
	}
	f.shiftData(t, total)
	offsets := slices.Sorted(maps.Keys(at))
	var out []byte
	prev := 0
	for _, off := range offsets {
		out = append(append(out, f.data[prev:off]...), at[off]...)
		prev = off
	}
	return append(out, f.data[prev:]...)
}

// Rotate adds an irot property turning the primary image by quarter turns
// anticlockwise, as a camera app writes for a photo taken upright; heif-enc
// writes none. The property is essential, as the specification requires.
func Rotate(t testing.TB, data []byte, quarterTurns int) []byte {
	t.Helper()
	f := parse(t, data)
	if f.data[f.ipma.start+11]&1 != 0 {
		t.Fatal("ipma with 16-bit property indices")
	}
	index := len(children(t, f.data, f.ipco.body, f.ipco.end)) + 1
	if index > 127 {
		t.Fatal("too many properties for an 8-bit index")
	}
	// Find the primary item's association list.
	d, p, v := f.data, f.ipma.body, f.version(f.ipma)
	entries := int(binary.BigEndian.Uint32(d[p:]))
	p += 4
	entryEnd := -1
	for range entries {
		var id uint32
		if v < 1 {
			id, p = uint32(binary.BigEndian.Uint16(d[p:])), p+2
		} else {
			id, p = binary.BigEndian.Uint32(d[p:]), p+4
		}
		n := int(d[p])
		if id == f.primary() {
			d[p]++
			entryEnd = p + 1 + n
		}
		p += 1 + n
	}
	if entryEnd < 0 {
		t.Fatal("the primary item has no properties")
	}
	irot := []byte{0, 0, 0, 9, 'i', 'r', 'o', 't', byte(quarterTurns & 3)}
	return f.insert(t, map[int][]byte{f.ipco.end: irot, entryEnd: {0x80 | byte(index)}}, f.meta, f.iprp, f.ipco, f.ipma)
}

// ClaimSize rewrites every ispe property (the image's declared size) to
// w×h, leaving the coded image as it was.
func ClaimSize(t testing.TB, data []byte, w, h uint32) []byte {
	t.Helper()
	f := parse(t, data)
	n := 0
	for _, b := range children(t, f.data, f.ipco.body, f.ipco.end) {
		if b.typ == "ispe" {
			binary.BigEndian.PutUint32(f.data[b.body:], w)
			binary.BigEndian.PutUint32(f.data[b.body+4:], h)
			n++
		}
	}
	if n == 0 {
		t.Fatal("no ispe property")
	}
	return f.data
}

// PrimaryMissing points the pitm box at an item the file does not have.
func PrimaryMissing(t testing.TB, data []byte) []byte {
	t.Helper()
	f := parse(t, data)
	f.setPrimary(99)
	return f.data
}

// NoPrimary turns the pitm box into a free box, which readers skip.
func NoPrimary(t testing.TB, data []byte) []byte {
	t.Helper()
	f := parse(t, data)
	copy(f.data[f.pitm.start+4:], "free")
	return f.data
}

// DepthOnly turns a HEIC with alpha (heif-enc from a PNG with
// transparency) into one whose only visible image is a depth map: the
// alpha plane is declared a depth map and made the primary image, and the
// colour image is hidden, as when an editor drops the photo and keeps its
// depth data.
func DepthOnly(t testing.TB, data []byte) []byte {
	t.Helper()
	f := parse(t, data)
	const alpha, depth = "urn:mpeg:hevc:2015:auxid:1", "urn:mpeg:hevc:2015:auxid:2"
	i := bytes.Index(f.data, []byte(alpha))
	if i < 0 {
		t.Fatal("no alpha plane to turn into a depth map")
	}
	copy(f.data[i:], depth)
	colour := f.primary()
	var aux uint32
	for _, e := range children(t, f.data, f.iinf.body, f.iinf.end) {
		id, typ := uint32(binary.BigEndian.Uint16(f.data[e.body:])), e.body+4
		switch f.version(e) {
		case 2:
		case 3:
			id, typ = binary.BigEndian.Uint32(f.data[e.body:]), e.body+6
		default:
			t.Fatal("infe before version 2")
		}
		if id == colour {
			f.data[e.start+11] |= 1 // hidden
		} else if string(f.data[typ:typ+4]) == "hvc1" {
			aux = id
		}
	}
	if aux == 0 {
		t.Fatal("no second image item")
	}
	f.setPrimary(aux)
	return f.data
}

// Grid makes a HEIC whose primary image is a grid of tile×tile HEVC tiles,
// as iPhones write their photos (512-pixel tiles): the tiles cover src
// padded to whole tiles, each encoded by heif-enc on its own, and the grid
// crops back to src's size.
func Grid(t testing.TB, src, dir string, tile int) []byte {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := image.DecodeConfig(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	cols, rows := (cfg.Width+tile-1)/tile, (cfg.Height+tile-1)/tile
	Convert(t, src, dir, "tile_%03d.png", "-background", "grey", "-extent", fmt.Sprintf("%dx%d", cols*tile, rows*tile),
		"-crop", fmt.Sprintf("%dx%d", tile, tile), "+repage")
	var hvcC, data [][]byte
	for i := range cols * rows {
		tf := parse(t, Read(t, HEIC(t, filepath.Join(dir, fmt.Sprintf("tile_%03d.png", i)), dir, fmt.Sprintf("tile_%03d.heic", i), "-q", "90")))
		b := find(t, children(t, tf.data, tf.ipco.body, tf.ipco.end), "hvcC")
		hvcC = append(hvcC, tf.data[b.start:b.end])
		data = append(data, tf.itemData(t, tf.primary()))
	}
	n := len(data)
	u16 := func(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
	u32 := func(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
	grid := append([]byte{0, 0, byte(rows - 1), byte(cols - 1)}, append(u16(cfg.Width), u16(cfg.Height)...)...)
	meta := func(mdatStart int) []byte {
		infes := [][]byte{fullBox("infe", 2, 0, u16(1), u16(0), []byte("grid\x00"))}
		dimg := [][]byte{u16(1), u16(n)}
		ipma := [][]byte{u32(n + 1), u16(1), {1, 1}} // the grid: its size
		iloc := [][]byte{{0x44, 0}, u16(n + 1), u16(1), u16(0), u16(1), u32(mdatStart), u32(len(grid))}
		props := [][]byte{fullBox("ispe", 0, 0, u32(cfg.Width), u32(cfg.Height)), fullBox("ispe", 0, 0, u32(tile), u32(tile))}
		off := mdatStart + len(grid)
		for i := range n {
			id := i + 2
			infes = append(infes, fullBox("infe", 2, 1, u16(id), u16(0), []byte("hvc1\x00"))) // hidden
			dimg = append(dimg, u16(id))
			props = append(props, hvcC[i])
			ipma = append(ipma, u16(id), []byte{2, 0x80 | byte(3+i), 2}) // its own hvcC, essential; the tile size
			iloc = append(iloc, u16(id), u16(0), u16(1), u32(off), u32(len(data[i])))
			off += len(data[i])
		}
		return fullBox("meta", 0, 0,
			fullBox("hdlr", 0, 0, u32(0), []byte("pict"), make([]byte, 13)),
			fullBox("pitm", 0, 0, u16(1)),
			fullBox("iloc", 0, 0, iloc...),
			fullBox("iinf", 0, 0, append([][]byte{u16(n + 1)}, infes...)...),
			fullBox("iref", 0, 0, plainBox("dimg", dimg...)),
			plainBox("iprp", plainBox("ipco", props...), fullBox("ipma", 0, 0, ipma...)))
	}
	ftyp := plainBox("ftyp", []byte("heic"), u32(0), []byte("mif1heic"))
	start := len(ftyp) + len(meta(0)) + 8
	out := append(append(ftyp, meta(start)...), plainBox("mdat", append([][]byte{grid}, data...)...)...)
	return out
}

func plainBox(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	return append(append(binary.BigEndian.AppendUint32(nil, uint32(8+len(body))), typ...), body...)
}

func fullBox(typ string, version byte, flags uint32, payload ...[]byte) []byte {
	return plainBox(typ, append([][]byte{{version, byte(flags >> 16), byte(flags >> 8), byte(flags)}}, payload...)...)
}

// TwelveMP returns a 4000×3000 HEIC, HEIC grid of 512-pixel tiles (as an
// iPhone writes) or AVIF made from a shared photo. Encoding one takes many
// seconds, so it is kept in the system's temporary folder
// between runs.
func TwelveMP(b testing.TB, ext string) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "spotter-bench-heif")
	out := filepath.Join(dir, "12mp."+ext)
	if _, err := os.Stat(out); err == nil {
		return out
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	png := filepath.Join(dir, "12mp.png")
	if _, err := os.Stat(png); err != nil {
		Convert(b, inferencetest.Photo(b, "kite.jpg"), dir, "12mp.tmp.png", "-resize", "4000x3000!")
		if err := os.Rename(filepath.Join(dir, "12mp.tmp.png"), png); err != nil {
			b.Fatal(err)
		}
	}
	// Written under another name first, so an interrupted encode is not
	// taken for a finished one next time.
	tmp := filepath.Join(dir, "tmp."+ext)
	switch ext {
	case "png":
		return png
	case "jpg":
		Convert(b, png, dir, "tmp."+ext, "-quality", "90")
	case "avif":
		AVIF(b, png, dir, "tmp."+ext, "-j", "2")
	case "heic":
		HEIC(b, png, dir, "tmp."+ext)
	case "grid.heic":
		if err := os.WriteFile(tmp, Grid(b, png, b.TempDir(), 512), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		b.Fatal(err)
	}
	return out
}
