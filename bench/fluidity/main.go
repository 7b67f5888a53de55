// Command fluidity measures how well the window keeps up while it works
// through a queue: the real window (Fyne's GL driver on X11; a private Xvfb
// when $DISPLAY is unset), the real ui package and classifier, and a
// folder of photos of mixed sizes dropped once the model has loaded. A
// probe posts to the UI thread every 10 ms and records how long each post
// waited to run, from the drop until the last answer is shown; a post that
// waits long is a frame, a click or a key press that waits as long.
// `make bench` runs it; it prints and asserts nothing.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/spotter-app/spotter/bench/internal/xvfb"
	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/ui"
)

func main() {
	shared := flag.String("shared", "../shared", "the shared folder with photos/")
	desc := flag.String("model", "models/mobilenet_v2_1.0_224_quant.json", "model descriptor")
	count := flag.Int("photos", 200, "photos in the dropped folder")
	every := flag.Duration("every", 10*time.Millisecond, "how often the probe posts to the UI thread")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the queue's run to this file")
	limit := flag.Duration("timeout", 5*time.Minute, "give up, printing every goroutine's stack, after this long")
	flag.Parse()
	log.SetFlags(0)

	display, stopX, err := xvfb.Ensure()
	if err != nil {
		log.Fatal(err)
	}
	defer stopX()
	tmp, err := os.MkdirTemp("", "spotter-fluidity")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	folder, kinds := photoFolder(*shared, tmp, *count)
	// Fyne keeps its preferences under the configuration folder: a fresh
	// one, so the person's settings neither apply nor change.
	if err := os.Setenv("XDG_CONFIG_HOME", filepath.Join(tmp, "config")); err != nil {
		log.Fatal(err)
	}
	answers := &answerCounter{Handler: slog.NewTextHandler(os.Stderr, nil)}
	slog.SetDefault(slog.New(answers))

	a := app.NewWithID("app.spotter.Spotter.bench")
	win := a.NewWindow(ui.Title)
	var loadErr error // set by the worker before it reports the load
	open := func() (ui.Classifier, error) {
		c, err := inference.Open(inference.Options{Descriptor: *desc, Top: 10})
		if err != nil {
			loadErr = err
			return nil, err
		}
		return c, nil
	}

	// UI thread only, until the event loop has ended.
	var (
		w          *ui.Window
		start, end time.Time
		measuring  bool
		delays     []time.Duration
	)
	stopProbe := make(chan struct{})
	idle := func() {
		switch {
		case loadErr != nil:
			a.Quit()
		case start.IsZero(): // the model has loaded: drop the folder
			start, measuring = time.Now(), true
			startProfile(*cpuProfile)
			go probe(*every, stopProbe, func(d time.Duration) {
				if measuring {
					delays = append(delays, d)
				}
			})
			w.Open(folder)
		case answers.n.Load() >= int64(*count): // the last answer is shown
			end, measuring = time.Now(), false
			pprof.StopCPUProfile()
			close(stopProbe)
			a.Quit()
		}
	}
	w = ui.New(win, open, ui.Options{Idle: idle})
	// A queue that never ends must not hang make bench; the stacks say why.
	watchdog := time.AfterFunc(*limit, func() {
		fmt.Fprintf(os.Stderr, "fluidity: gave up after %v, %d photos answered; goroutines:\n", *limit, answers.n.Load())
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
		stopX()
		_ = os.RemoveAll(tmp)
		os.Exit(1)
	})
	win.ShowAndRun()
	w.Shutdown()
	watchdog.Stop()
	if loadErr != nil {
		log.Fatal(loadErr)
	}
	if end.IsZero() || len(delays) == 0 {
		log.Fatal("the queue did not finish")
	}

	slices.Sort(delays)
	secs := end.Sub(start).Seconds()
	fmt.Printf("UI fluidity: a folder of %d photos (%s) dropped on the real window (X display %s);\n", *count, kinds, display)
	fmt.Printf("a probe posts to the UI thread every %v: the delay from post to run, while the queue runs (aim: worst under 50 ms)\n\n", *every)
	fmt.Printf("%7s %9s %9s %7s %10s %8s %9s\n", "photos", "seconds", "photos/s", "probes", "median ms", "p99 ms", "worst ms")
	fmt.Printf("%7d %9.2f %9.1f %7d %10.2f %8.2f %9.2f\n", *count, secs, float64(*count)/secs, len(delays),
		ms(delays[len(delays)/2]), ms(delays[min(len(delays)-1, len(delays)*99/100)]), ms(delays[len(delays)-1]))
}

func startProfile(path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// probe posts to the UI thread every interval until stop is closed; record
// runs on the UI thread with how long the post waited.
func probe(every time.Duration, stop <-chan struct{}, record func(time.Duration)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			posted := time.Now()
			fyne.Do(func() { record(time.Since(posted)) })
		}
	}
}

// photoFolder fills dir/photos with count links to the shared photos and
// to a 4000x3000 JPEG made here, in turn, and describes the mix.
func photoFolder(shared, dir string, count int) (folder, kinds string) {
	sources, err := filepath.Glob(filepath.Join(shared, "photos", "*.jpg"))
	if err != nil || len(sources) == 0 {
		log.Fatalf("no photos in %s/photos", shared)
	}
	big := filepath.Join(dir, "4000x3000.jpg")
	if out, err := exec.Command("convert", sources[0], "-resize", "4000x3000!", big).CombinedOutput(); err != nil {
		log.Fatalf("convert (apt-get install imagemagick): %v\n%s", err, out)
	}
	kinds = fmt.Sprintf("the %d shared photos and a 4000x3000 JPEG, in turn", len(sources))
	sources = append(sources, big)
	folder = filepath.Join(dir, "photos")
	if err := os.Mkdir(folder, 0o755); err != nil {
		log.Fatal(err)
	}
	for i := range count {
		src, err := filepath.Abs(sources[i%len(sources)])
		if err != nil {
			log.Fatal(err)
		}
		if err := os.Symlink(src, filepath.Join(folder, fmt.Sprintf("%03d-%s", i, filepath.Base(src)))); err != nil {
			log.Fatal(err)
		}
	}
	return folder, kinds
}

// answerCounter counts the photos answered, from the worker's log, and
// passes on warnings and errors.
type answerCounter struct {
	slog.Handler
	n atomic.Int64
}

func (c *answerCounter) Enabled(context.Context, slog.Level) bool { return true }

func (c *answerCounter) Handle(ctx context.Context, r slog.Record) error {
	switch r.Message {
	case "classified", "classification failed", "cancelled":
		c.n.Add(1)
	}
	if r.Level < slog.LevelWarn {
		return nil
	}
	return c.Handler.Handle(ctx, r)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
