package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/library/thumbs"
	"github.com/spotter-app/spotter/settings"
	"github.com/spotter-app/spotter/ui"
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
	case "grid":
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
	win := a.NewWindow(ui.Title)
	var loadErr error // set by the worker before it reports the load
	open := func() (ui.Classifier, error) {
		cl, err := inference.Open(inference.Options{Descriptor: c.Model, Top: 10})
		if err != nil {
			loadErr = err
			return nil, err
		}
		return cl, nil
	}

	// UI thread only, until the event loop has ended.
	var (
		w          *ui.Window
		f          figures
		start, end time.Time
		measuring  bool
		driveErr   error
	)
	stopProbe := make(chan struct{})
	begin := func() {
		start, measuring = time.Now(), true
		startProfile(c.Profile)
		go probe(c.Every, stopProbe, func(d time.Duration) {
			if measuring {
				f.Delays = append(f.Delays, d)
			}
		})
	}
	finish := func() {
		end, measuring = time.Now(), false
		pprof.StopCPUProfile()
		close(stopProbe)
		a.Quit()
	}
	opts.Idle = func() {
		switch {
		case loadErr != nil:
			a.Quit()
		case start.IsZero() && lib == nil: // the model has loaded: drop the folder
			begin()
			w.Open(filepath.Join(c.Dir, "photos"))
		case start.IsZero(): // the model has loaded: scroll
			begin()
			go func() {
				steps, err := drive()
				time.Sleep(settle)
				fyne.Do(func() {
					f.Steps, driveErr = steps, err
					finish()
				})
			}()
		case lib == nil && answers.n.Load() >= int64(c.Photos): // the last answer is shown
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
	watchdog.Stop()
	switch {
	case loadErr != nil:
		return figures{}, loadErr
	case driveErr != nil:
		return figures{}, driveErr
	case end.IsZero():
		return figures{}, fmt.Errorf("the %s phase did not finish", c.Phase)
	}
	f.Seconds = end.Sub(start).Seconds()
	f.Answered = int(answers.n.Load())
	if lib != nil {
		f.Pages, f.Deepest = lib.read()
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
	// settle is how long the measure goes on after the last step, while
	// the last screen's thumbnails arrive.
	settle = time.Second
)

// drive pages through the library with real X11 key presses and
// mouse-wheel turns over the grid, and returns how many it sent.
func drive() (int, error) {
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
		return 0, err
	}
	wid := strings.Fields(out)[0]
	keys := func(key string, n int) []string {
		return append([]string{"key", "--delay", stepDelay}, slices.Repeat([]string{key}, n)...)
	}
	wheel := func(button string, n int) []string {
		return []string{"click", "--repeat", strconv.Itoa(n), "--delay", stepDelay, button}
	}
	// The grid fills the left third of the window, below the toolbar and
	// the categories.
	for _, args := range [][]string{
		{"windowfocus", "--sync", wid},
		{"mousemove", "--window", wid, "200", "400"},
		keys("Page_Down", pageDowns),
		{"key", "End"},
		keys("Page_Up", pageUps),
		wheel("5", wheelDown),
		wheel("4", wheelUp),
	} {
		if _, err := xdotool(args...); err != nil {
			return 0, err
		}
	}
	return pageDowns + 1 + pageUps + wheelDown + wheelUp, nil
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
