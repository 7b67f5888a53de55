package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/folders"
	"github.com/spotter-app/spotter/library/thumbs"
	"github.com/spotter-app/spotter/library/watch"
	"github.com/spotter-app/spotter/settings"
	"github.com/spotter-app/spotter/ui"
	"github.com/spotter-app/spotter/ui/work"
)

// runPhase opens the window and measures one phase, from the moment the
// model has loaded.
func runPhase(c config) (figures, error) {
	answers := &answerCounter{Handler: slog.NewTextHandler(os.Stderr, nil)}
	slog.SetDefault(slog.New(answers))

	a := app.NewWithID("app.spotter.Spotter.bench")
	var lib *library
	opts := ui.Options{}
	switch c.Phase {
	case "list":
		a.Preferences().SetString(settings.KeyLayout, "list")
	case "grid", "index":
		a.Preferences().SetString(settings.KeyLayout, "grid")
	case "scroll":
		a.Preferences().SetString(settings.KeyLayout, "grid")
		pool, err := filepath.Glob(filepath.Join(c.Dir, "library", "*"))
		if err != nil || len(pool) == 0 {
			return figures{}, fmt.Errorf("the bench's folder %s has no library/ of photos", c.Dir)
		}
		lib = newLibrary(c.Library, pool)
		opts.Library = lib
	}
	var indexer *work.Library
	if c.Phase == "index" {
		var err error
		if indexer, err = libraryOf(c); err != nil {
			return figures{}, err
		}
		opts.Folders = indexer
	}
	win := a.NewWindow(ui.Title)
	var loadErr error // set by the worker before it reports the load
	open := func() (work.Classifier, work.EngineInfo, error) {
		cl, err := inference.Open(inference.Options{Descriptor: c.Model, Top: 10})
		if err != nil {
			loadErr = err
			return nil, work.EngineInfo{}, err
		}
		return cl, work.EngineInfo{}, nil
	}

	// UI thread only, until the event loop has ended.
	var (
		w        *ui.Window
		f        figures
		start    time.Time
		waits    []wait
		used     *sampler
		segments []segment // the scroll's, as they end
		driveErr error
	)
	// The row each probe counts towards, read as it is posted: -1 before
	// and after the measure.
	var row atomic.Int32
	row.Store(-1)
	stopProbe := make(chan struct{})
	begin := func() {
		start = time.Now()
		used = startSampler(start, 5*time.Millisecond)
		startProfile(c.Profile)
		go probe(c.Every, stopProbe, &row, func(seq int, posted time.Time, delay time.Duration, r int) {
			waits = append(waits, wait{At: posted.Sub(start), Delay: delay, Seq: seq, Row: r})
			if c.Profile != "" {
				// The UI thread's samples until the next probe runs are
				// this one's: a long wait's are those labelled with the
				// probe before it.
				pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("probe", strconv.Itoa(seq))))
			}
		})
	}
	finish := func() {
		row.Store(-1)
		pprof.StopCPUProfile()
		close(stopProbe)
		a.Quit()
	}
	opts.Idle = func() {
		switch {
		case loadErr != nil:
			a.Quit()
		case start.IsZero() && indexer != nil: // the model has loaded: index the folder
			begin()
			row.Store(0)
			segments = []segment{{what: phaseNames[c.Phase]}}
			indexer.Start(func(s work.Indexing) {
				w.ShowIndexing(s)
				// A round's last report has it done, and counts nothing.
				if s.Total > 0 {
					answers.n.Store(int64(s.Total))
				} else if answers.n.Load() > 0 && segments[0].seconds == 0 {
					segments[0].seconds = time.Since(start).Seconds()
					finish()
				}
			}, w.LibraryGrew, w.ShowNotice)
		case start.IsZero() && lib == nil: // the model has loaded: drop the folder
			begin()
			row.Store(0)
			segments = []segment{{what: phaseNames[c.Phase]}}
			w.Open(filepath.Join(c.Dir, "photos"))
		case start.IsZero(): // the model has loaded: scroll
			begin()
			go func() {
				done, err := drive(&row, start)
				fyne.Do(func() {
					segments, driveErr = done, err
					finish()
				})
			}()
		case lib == nil && indexer == nil && answers.n.Load() >= int64(c.Photos): // the last answer is shown
			segments[0].seconds = time.Since(start).Seconds()
			finish()
		}
	}
	w = ui.New(win, open, opts)
	// A phase that never ends must not hang make bench; the stacks say why.
	watchdog := time.AfterFunc(c.Timeout, func() {
		fmt.Fprintf(os.Stderr, "fluidity: the %s phase gave up after %v, %d photos answered; goroutines:\n", c.Phase, c.Timeout, answers.n.Load())
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
		os.Exit(1)
	})
	win.ShowAndRun()
	f.PeakKiB = peakKiB()
	w.Shutdown()
	if indexer != nil {
		indexer.Stop()
	}
	watchdog.Stop()
	switch {
	case loadErr != nil:
		return figures{}, loadErr
	case driveErr != nil:
		return figures{}, driveErr
	case len(segments) == 0 || segments[len(segments)-1].seconds == 0:
		return figures{}, fmt.Errorf("the %s phase did not finish", c.Phase)
	}
	readings := used.end()
	for i, s := range segments {
		var mine []wait
		for _, w := range waits {
			if w.Row == i {
				mine = append(mine, w)
			}
		}
		f.Rows = append(f.Rows, measured{What: s.what, Seconds: s.seconds, Steps: s.steps, Summary: summarise(mine, readings, 3)})
	}
	if lib == nil {
		f.Rows[0].Answered = int(answers.n.Load())
	} else {
		f.Pages, f.Reach = lib.reach()
		if dir, err := thumbs.Dir(); err == nil {
			made, _ := filepath.Glob(filepath.Join(dir, "*", "*.png"))
			f.Thumbs = len(made)
		}
	}
	return f, nil
}

// The scroll phase's steps, one every stepDelay ms: about as fast as a key
// held down repeats.
const (
	pageDowns = 200
	pageUps   = 100
	wheelDown = 150
	wheelUp   = 50
	stepDelay = "40"
	// settle is how long a row's measure goes on once the UI thread has
	// caught up with its steps, while the last screen's thumbnails arrive.
	settle = time.Second
)

// segment is one row of the scroll phase: steps of one kind, measured
// until the UI thread has handled them all.
type segment struct {
	what    string
	steps   int
	seconds float64
}

// drive pages through the library with real X11 key presses, then turns
// the mouse wheel over the grid, counting the probes towards a row for
// each.
func drive(row *atomic.Int32, start time.Time) ([]segment, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	xdotool := func(args ...string) (string, error) {
		out, err := exec.CommandContext(ctx, "xdotool", args...).Output()
		if err != nil {
			return "", fmt.Errorf("xdotool %s (apt-get install xdotool): %v", strings.Join(args[:min(len(args), 4)], " "), err)
		}
		return string(out), nil
	}
	out, err := xdotool("search", "--sync", "--onlyvisible", "--pid", strconv.Itoa(os.Getpid()), "--name", "^"+ui.Title+"$")
	if err != nil {
		return nil, err
	}
	wid := strings.Fields(out)[0]
	// The grid fills the left third of the window, below the toolbar and
	// the categories.
	if _, err := xdotool("windowfocus", "--sync", wid); err != nil {
		return nil, err
	}
	if _, err := xdotool("mousemove", "--window", wid, "200", "400"); err != nil {
		return nil, err
	}
	keys := func(key string, n int) []string {
		return append([]string{"key", "--delay", stepDelay}, slices.Repeat([]string{key}, n)...)
	}
	wheel := func(button string, n int) []string {
		return []string{"click", "--repeat", strconv.Itoa(n), "--delay", stepDelay, button}
	}
	plan := []struct {
		segment
		runs [][]string
	}{
		{segment{what: "scroll: keys", steps: pageDowns + 1 + pageUps},
			[][]string{keys("Page_Down", pageDowns), {"key", "End"}, keys("Page_Up", pageUps)}},
		{segment{what: "scroll: wheel", steps: wheelDown + wheelUp},
			[][]string{wheel("5", wheelDown), wheel("4", wheelUp)}},
	}
	var done []segment
	for i, p := range plan {
		began := time.Now()
		row.Store(int32(i))
		for _, args := range p.runs {
			if _, err := xdotool(args...); err != nil {
				return nil, err
			}
		}
		caughtUp()
		time.Sleep(settle)
		row.Store(-1)
		p.seconds = time.Since(began).Seconds()
		done = append(done, p.segment)
	}
	return done, nil
}

// caughtUp returns once the UI thread runs what is posted at once, twice
// running: the events sent before have been handled.
func caughtUp() {
	for quick := 0; quick < 2; {
		posted := time.Now()
		ran := make(chan struct{})
		fyne.Do(func() { close(ran) })
		<-ran
		if time.Since(posted) < 20*time.Millisecond {
			quick++
		} else {
			quick = 0
		}
		time.Sleep(50 * time.Millisecond)
	}
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
		slog.Error("the CPU profile cannot be written", "path", path, "err", err)
	}
}

// probe posts to the UI thread every interval, numbering the posts, until
// stop is closed; record runs on the UI thread with the number, when it
// was posted and how long it waited, for the posts made while row is set.
func probe(every time.Duration, stop <-chan struct{}, row *atomic.Int32, record func(seq int, posted time.Time, delay time.Duration, row int)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for seq := 0; ; seq++ {
		select {
		case <-stop:
			return
		case <-tick.C:
			posted, r := time.Now(), int(row.Load())
			fyne.Do(func() { record(seq, posted, time.Since(posted), r) })
		}
	}
}

// peakKiB is this process's peak resident memory (VmHWM), 0 when unknown.
func peakKiB() int {
	data, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
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

// libraryOf makes the folder of photos the library folder of a new
// catalogue, indexed as the window does it: an engine of its own, on half
// the processors (the default), at low priority. Nothing is kept: the
// phase measures the window while the photos are classified.
func libraryOf(c config) (*work.Library, error) {
	path := filepath.Join(c.Dir, "index.db")
	os.Remove(path)
	cat, err := catalog.Open(path)
	if err != nil {
		return nil, err
	}
	if _, _, err := folders.Add(cat, filepath.Join(c.Dir, "photos")); err != nil {
		return nil, err
	}
	return work.NewLibrary(work.LibraryOptions{
		Catalog: cat,
		Model:   func() (catalog.Model, bool) { return catalog.Model{}, false },
		Open: func() (work.Classifier, error) {
			cl, err := inference.Open(inference.Options{Descriptor: c.Model, Top: 10, Threads: 1})
			if err != nil {
				return nil, err
			}
			return cl, nil
		},
		Cores: func() int { return (runtime.NumCPU() + 1) / 2 },
		Grace: func() time.Duration { return watch.DefaultGrace },
		Post:  fyne.Do,
	}), nil
}
