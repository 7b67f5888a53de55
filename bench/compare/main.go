// Command compare measures Spotter against its peer (bench/peer: Node.js
// with onnxruntime-node and sharp) on the same photos, model and
// preprocessing, and prints one table: time per photo, the model's floor,
// folder throughput and peak memory, and whether both give the same answer.
// `make bench` runs it; it prints and asserts nothing.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
)

func main() {
	shared := flag.String("shared", "../shared", "the shared folder with photos/")
	desc := flag.String("model", "models/mobilenet_v2_1.0_224_quant.json", "model descriptor")
	float := flag.String("float-model", "models/mobilenet_v2_1.0_224_quant_float.json", "second model whose answers are compared with the peer's (empty: none)")
	runs := flag.Int("runs", 20, "runs per photo; the median is reported")
	flag.Parse()
	log.SetFlags(0)

	clf, err := inference.Open(inference.Options{Descriptor: *desc})
	if err != nil {
		log.Fatal(err)
	}
	defer clf.Close()
	d := clf.Descriptor()
	dir, err := os.MkdirTemp("", "spotter-compare")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	photos := map[string]string{}
	var order []string
	for _, name := range []string{"dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "kite.jpg", "person.jpg"} {
		photos[name] = filepath.Join(*shared, "photos", name)
		order = append(order, name)
	}
	for _, v := range [][2]string{{"640x480.jpg", "640x480!"}, {"4000x3000.jpg", "4000x3000!"}, {"4000x3000.png", "4000x3000!"}} {
		p := filepath.Join(dir, v[0])
		if out, err := exec.Command("convert", photos["dog.jpg"], "-resize", v[1], p).CombinedOutput(); err != nil {
			log.Fatalf("convert: %v\n%s", err, out)
		}
		photos[v[0]] = p
		order = append(order, v[0])
	}
	// sharp reads AVIF too (its libvips carries libheif), so the phone
	// format both can read is compared as well.
	avif := filepath.Join(dir, "4000x3000.avif")
	if out, err := exec.Command("avifenc", "-j", "2", "-s", "8", photos["4000x3000.png"], avif).CombinedOutput(); err != nil {
		log.Fatalf("avifenc (apt-get install libavif-bin): %v\n%s", err, out)
	}
	photos["4000x3000.avif"] = avif
	order = append(order, "4000x3000.avif")

	input := make([]float32, clf.NewTensor().Len())
	floor := median(*runs*5, func() time.Duration {
		start := time.Now()
		if _, err := clf.Run(context.Background(), input); err != nil {
			log.Fatal(err)
		}
		return time.Since(start)
	})

	var paths []string
	for _, name := range order {
		paths = append(paths, photos[name])
	}
	peer := peerPhotos(d, *runs, paths)

	fmt.Printf("Spotter against the Node.js peer (onnxruntime-node + sharp), %s, median of %d runs\n\n", d.Name, *runs)
	fmt.Printf("%-16s %11s %9s %11s %13s %9s %9s\n", "photo", "Spotter ms", "peer ms", "Spotter/peer", "Spotter/floor", "same top-1", "|Δp|")
	for _, name := range order {
		var res prediction.Result
		ms := median(*runs, func() time.Duration {
			start := time.Now()
			d := pipeline.One(context.Background(), clf, photos[name], pipeline.Options{})
			if d.Err != nil {
				log.Fatal(d.Err)
			}
			res = d.Result
			return time.Since(start)
		})
		p := peer[photos[name]]
		top := res.Top()
		same := yesNo(top.Label == p.Label)
		fmt.Printf("%-16s %11.2f %9.2f %11.2f %13.2f %9s %9.3f\n", name, msec(ms), p.MS, msec(ms)/p.MS,
			float64(ms)/float64(floor), same, abs(float64(top.Probability)-p.Probability))
	}
	fmt.Printf("%-16s %11.2f\n\n", "floor (Run)", msec(floor))

	if *float != "" {
		fidelity(*float, order, paths)
	}

	// A folder of 200 photos of mixed sizes, each program in its own state.
	var folder []string
	for i := range 200 {
		folder = append(folder, photos[order[i%len(order)]])
	}
	spotterRate, spotterRSS := spotterFolder(clf, folder)
	var pf struct {
		PhotosPerSecond float64 `json:"photosPerSecond"`
		PeakRSSMB       float64 `json:"peakRSSMB"`
	}
	lines := runPeer(append([]string{"bench/peer/peer.mjs", "folder", d.ModelPath(), d.LabelsPath()}, folder...))
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &pf); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%-30s %10s %12s\n", "folder of 200 mixed photos", "photos/s", "peak RSS MB")
	fmt.Printf("%-30s %10.1f %12.2f\n", "Spotter", spotterRate, spotterRSS)
	fmt.Printf("%-30s %10.1f %12.2f\n", "peer", pf.PhotosPerSecond, pf.PeakRSSMB)
	fmt.Printf("%-30s %10.2f\n", "Spotter time / peer time", pf.PhotosPerSecond/spotterRate)
}

// fidelity compares one answer per photo from Spotter and from the peer
// with the model of descriptor desc; names[i] is the photo at paths[i].
func fidelity(desc string, names, paths []string) {
	clf, err := inference.Open(inference.Options{Descriptor: desc})
	if err != nil {
		log.Fatal(err)
	}
	defer clf.Close()
	peer := peerPhotos(clf.Descriptor(), 1, paths)
	fmt.Printf("The same photos with %s\n\n%-16s %9s %9s\n", clf.Descriptor().Name, "photo", "same top-1", "|Δp|")
	for i, name := range names {
		d := pipeline.One(context.Background(), clf, paths[i], pipeline.Options{})
		if d.Err != nil {
			log.Fatal(d.Err)
		}
		top, p := d.Result.Top(), peer[paths[i]]
		fmt.Printf("%-16s %9s %9.3f\n", name, yesNo(top.Label == p.Label), abs(float64(top.Probability)-p.Probability))
	}
	fmt.Println()
}

// peerPhotos runs the peer over paths, runs times each, with the model of d.
func peerPhotos(d *model.Descriptor, runs int, paths []string) map[string]peerPhoto {
	args := append([]string{"bench/peer/peer.mjs", "photo", d.ModelPath(), d.LabelsPath(), strconv.Itoa(runs)}, paths...)
	peer := map[string]peerPhoto{}
	for _, line := range runPeer(args) {
		var p peerPhoto
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			log.Fatalf("peer output %q: %v", line, err)
		}
		peer[p.Path] = p
	}
	return peer
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

type peerPhoto struct {
	Path        string  `json:"path"`
	MS          float64 `json:"ms"`
	Label       string  `json:"label"`
	Probability float64 `json:"probability"`
}

func runPeer(args []string) []string {
	out, err := exec.Command("node", args...).Output()
	if err != nil {
		log.Fatalf("node %s: %v (run `make bench`, which installs the peer with npm)", args[0], err)
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// spotterFolder classifies the folder as the window does and returns
// photos per second and the peak resident memory of the run (VmHWM, reset
// first, so the per-photo runs before it do not count).
func spotterFolder(clf *inference.Classifier, paths []string) (perSecond, peakMB float64) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		log.Printf("cannot reset the peak RSS (%v); it includes the runs before", err)
	}
	i := 0
	next := func(ctx context.Context) (pipeline.Job, bool) {
		if i == len(paths) {
			return pipeline.Job{}, false
		}
		i++
		return pipeline.Job{ID: uint64(i), Path: paths[i-1]}, true
	}
	start := time.Now()
	pipeline.Stream(context.Background(), clf, next, func(d pipeline.Done) {
		if d.Err != nil {
			log.Fatal(d.Err)
		}
	}, pipeline.Options{})
	perSecond = float64(len(paths)) / time.Since(start).Seconds()
	peakMB, err := inferencetest.ProcStatusMB("VmHWM:")
	if err != nil {
		log.Fatal(err)
	}
	return perSecond, peakMB
}

func median(n int, f func() time.Duration) time.Duration {
	ds := make([]time.Duration, n)
	for i := range ds {
		ds[i] = f()
	}
	slices.Sort(ds)
	return ds[n/2]
}

func msec(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
