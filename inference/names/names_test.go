package names

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
)

func TestEveryClassMaps(t *testing.T) {
	tab := ImageNet()
	if tab.Len() != 1000 {
		t.Fatalf("Len() = %d, want 1000", tab.Len())
	}
	for i := range tab.Len() {
		c := tab.Class(i)
		if c.Label == "" || c.Name == "" || len(c.Categories) == 0 || slices.Contains(c.Categories, "") {
			t.Errorf("class %d = %+v: a field is empty", i, c)
		}
		if strings.ContainsAny(c.Path(), "\t\n") {
			t.Errorf("class %d's path %q holds a tab or a line break", i, c.Path())
		}
	}
}

func TestOffsetsIncrease(t *testing.T) {
	tab := ImageNet()
	wnid := regexp.MustCompile(`^n\d{8}$`)
	for i := range tab.Len() {
		if !wnid.MatchString(tab.WNID(i)) {
			t.Fatalf("class %d's wnid %q is not n and 8 digits", i, tab.WNID(i))
		}
		if i > 0 && tab.WNID(i) <= tab.WNID(i-1) {
			t.Errorf("class %d (%s) has wnid %s, not above class %d's %s", i, tab.Class(i).Label, tab.WNID(i), i-1, tab.WNID(i-1))
		}
	}
	for i, want := range map[int]string{0: "n01440764", 999: "n15075141", 285: "n02124075"} {
		if tab.WNID(i) != want {
			t.Errorf("class %d (%s) has wnid %s, want %s", i, tab.Class(i).Label, tab.WNID(i), want)
		}
	}
}

func TestKnownClasses(t *testing.T) {
	tab := ImageNet()
	for _, tc := range []struct {
		index      int
		label      string
		name       string
		categories []string
	}{
		{281, "tabby", "cat", []string{"animal"}},
		{283, "Persian cat", "cat", []string{"animal"}},
		{285, "Egyptian cat", "cat", []string{"animal"}},
		{321, "admiral", "butterfly", []string{"animal"}},
		{322, "ringlet", "butterfly", []string{"animal"}},
		{323, "monarch", "butterfly", []string{"animal"}},
		{324, "cabbage butterfly", "butterfly", []string{"animal"}},
		{325, "sulphur butterfly", "butterfly", []string{"animal"}},
		{326, "lycaenid", "butterfly", []string{"animal"}},
		{134, "crane", "bird", []string{"animal"}},
		{517, "crane", "crane", []string{"device"}},
		{967, "espresso", "coffee", []string{"food and drink"}},
		{670, "motor scooter", "scooter", []string{"vehicle"}},
		{286, "cougar", "cougar", []string{"animal"}},
		{948, "Granny Smith", "apple", []string{"food and drink", "fruit"}},
	} {
		c := tab.Class(tc.index)
		if c.Label != tc.label || c.Name != tc.name || !slices.Equal(c.Categories, tc.categories) {
			t.Errorf("class %d = %+v, want %q → %q %q", tc.index, c, tc.label, tc.name, tc.categories)
		}
	}
	if tab.WNID(134) != "n02012849" || tab.WNID(517) != "n03126707" {
		t.Errorf("crane the bird is %s and the machine %s, want n02012849 and n03126707", tab.WNID(134), tab.WNID(517))
	}
	if got := tab.Class(285).Path(); got != "animal|cat" {
		t.Errorf("Egyptian cat's Path() = %q, want animal|cat", got)
	}
}

// The dog breeds are exactly classes 151 (Chihuahua) to 268 (Mexican
// hairless): the wolves, foxes and wild dogs around them are not dogs.
func TestDogBreeds(t *testing.T) {
	tab := ImageNet()
	dogs := 0
	for i := range tab.Len() {
		c := tab.Class(i)
		isDog := c.Name == "dog" && slices.Equal(c.Categories, []string{"animal"})
		if isDog != (i >= 151 && i <= 268) {
			t.Errorf("class %d (%s) is %q %q", i, c.Label, c.Name, c.Categories)
		}
		if isDog {
			dogs++
		}
	}
	if dogs != 118 {
		t.Errorf("%d dog breeds, want 118", dogs)
	}
}

// probs builds a distribution: the given classes' probabilities, and what
// is left spread evenly over every other class.
func probs(t *testing.T, n int, set map[int]float32) []float32 {
	t.Helper()
	var sum float32
	for _, p := range set {
		sum += p
	}
	rest := (1 - sum) / float32(n-len(set))
	p := make([]float32, n)
	for i := range p {
		if q, ok := set[i]; ok {
			p[i] = q
		} else {
			p[i] = rest
		}
	}
	return p
}

func near(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-4 }

func TestAnswerSumsByName(t *testing.T) {
	tab := ImageNet()
	p := make([]float32, tab.Len())
	p[322], p[323] = 0.30, 0.31 // ringlet, monarch
	p[0], p[404], p[967], p[285] = 0.12, 0.10, 0.09, 0.08
	a := tab.Answer(p)
	if a.Name != "butterfly" || !near(a.Confidence, 0.61) || !slices.Equal(a.Categories, []string{"animal"}) ||
		a.Class != "monarch" || !near(a.ClassProbability, 0.31) {
		t.Errorf("Answer = %+v, want butterfly 0.61 [animal], class monarch 0.31", a)
	}
	if !a.Sure(DefaultThreshold) {
		t.Errorf("butterfly at %.2f is not sure at %.2f", a.Confidence, DefaultThreshold)
	}

	// The most probable single class can lose to a name its rivals share.
	p = probs(t, tab.Len(), map[int]float32{644: 0.20, 249: 0.15, 250: 0.14, 248: 0.13, 235: 0.12})
	a = tab.Answer(p)
	want := float32(0.15+0.14+0.13+0.12) + 114*(1-0.74)/995
	if a.Name != "dog" || !near(a.Confidence, want) || a.Class != "malamute" || !near(a.ClassProbability, 0.15) {
		t.Errorf("Answer = %+v, want dog %.4f from malamute 0.15 over matchstick 0.20", a, want)
	}
}

// A plain magenta card gave "matchstick" at 5.3 %; summed by name, a
// near-uniform output must still read as not sure.
func TestNearUniformIsNotSure(t *testing.T) {
	tab := ImageNet()
	a := tab.Answer(probs(t, tab.Len(), map[int]float32{644: 0.053}))
	if a.Sure(DefaultThreshold) || a.Confidence > 0.2 {
		t.Errorf("near-uniform output answered %+v: want well below %.2f", a, DefaultThreshold)
	}
}

func TestSure(t *testing.T) {
	for _, tc := range []struct {
		a         Answer
		threshold float32
		sure      bool
	}{
		{Answer{Name: "cat", Confidence: 0.5}, DefaultThreshold, true},
		{Answer{Name: "cat", Confidence: 0.4999}, DefaultThreshold, false},
		{Answer{Name: "cat", Confidence: 0.3}, 0.25, true},
		{Answer{}, 0, false},
	} {
		if got := tc.a.Sure(tc.threshold); got != tc.sure {
			t.Errorf("%+v.Sure(%v) = %v, want %v", tc.a, tc.threshold, got, tc.sure)
		}
	}
}

func TestAnswerJSON(t *testing.T) {
	b, err := json.Marshal(Answer{Name: "cat", Confidence: 0.5, Categories: []string{"animal"}, Class: "tabby", ClassProbability: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"cat","confidence":0.5,"categories":["animal"],"class":"tabby","class_probability":0.25}`
	if string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
}

func TestAnswerWrongLengthPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Answer took 999 probabilities for 1000 classes")
		}
	}()
	ImageNet().Answer(make([]float32, 999))
}

func TestClassIsACopy(t *testing.T) {
	tab := ImageNet()
	c := tab.Class(285)
	c.Categories[0] = "changed"
	if tab.Class(285).Categories[0] != "animal" {
		t.Error("changing a returned Class changed the table")
	}
}

func TestLookup(t *testing.T) {
	tab, err := Lookup("imagenet-1k")
	if err != nil || tab != ImageNet() {
		t.Fatalf(`Lookup("imagenet-1k") = %p, %v; want the ImageNet table`, tab, err)
	}
	_, err = Lookup("openimages-600")
	if err == nil || !strings.Contains(err.Error(), `"openimages-600"`) || !strings.Contains(err.Error(), "coco-80, imagenet-1k") || !strings.HasSuffix(err.Error(), ".") {
		t.Errorf(`Lookup("openimages-600") error = %v; want a sentence naming it and the known tables`, err)
	}
}

// COCO's labels become everyday words under the same categories as
// ImageNet's, with the renames people expect.
func TestCOCO(t *testing.T) {
	tab, err := Lookup("coco-80")
	if err != nil || tab != COCO() || tab.Len() != 80 {
		t.Fatalf(`Lookup("coco-80") = %v classes, %v`, tab.Len(), err)
	}
	for i, want := range map[int]string{0: "people|person", 16: "animal|dog", 57: "furniture|sofa", 62: "electronics|television",
		67: "electronics|phone", 47: "food and drink|fruit|apple", 1: "vehicle|bicycle"} {
		if got := tab.Class(i).Path(); got != want {
			t.Errorf("class %d (%s) = %q, want %q", i, tab.Class(i).Label, got, want)
		}
	}
}

func TestCategories(t *testing.T) {
	tab := ImageNet()
	cats := tab.Categories()
	for _, want := range []string{"animal", "dog", "cat", "butterfly", "food and drink", "coffee", "vehicle", "thing"} {
		if !slices.Contains(cats, want) {
			t.Errorf("Categories() lacks %q: %q", want, cats)
		}
	}
	seen := map[string]bool{}
	for _, c := range cats {
		if seen[c] {
			t.Errorf("Categories() lists %q twice", c)
		}
		seen[c] = true
	}
	for i := range tab.Len() {
		for _, c := range tab.Class(i).Categories {
			if !seen[c] {
				t.Errorf("class %d's category %q is not in Categories()", i, c)
			}
		}
	}
}

// The committed table is what `go generate` makes from WordNet and the
// labels now: the generate line in names.go is run with -out elsewhere.
func TestGenerateReproducesTable(t *testing.T) {
	_, err := os.Stat("/usr/share/wordnet/data.noun")
	inferencetest.Need(t, err == nil, "WordNet 3.0 (/usr/share/wordnet/data.noun, Debian's wordnet-base)")
	labels := filepath.Join(inferencetest.Root(t), "models", "mobilenet_v2_1.0_224_quant", "labels.txt")
	_, err = os.Stat(labels)
	inferencetest.Need(t, err == nil, "the test model's labels ("+labels+")")
	goTool, err := exec.LookPath("go")
	inferencetest.Need(t, err == nil, "the go command")

	src, err := os.ReadFile("names.go")
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, "//go:generate go "); ok {
			args = strings.Fields(rest)
		}
	}
	out := filepath.Join(t.TempDir(), "imagenet.tsv")
	i := slices.Index(args, "-out")
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("names.go's go:generate line has no -out: %q", args)
	}
	args[i+1] = out
	cmd := exec.Command(goTool, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != imagenetTSV {
		t.Errorf("imagenet.tsv differs from what go generate makes now; run `go generate ./inference/names` and review the diff\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "without a listed ancestor") {
		t.Errorf("the generator did not report its fallbacks:\n%s", stderr.String())
	}
}

func BenchmarkAnswer(b *testing.B) {
	tab := ImageNet()
	p := make([]float32, tab.Len())
	for i := range p {
		p[i] = 1 / float32(len(p))
	}
	for b.Loop() {
		tab.Answer(p)
	}
}
