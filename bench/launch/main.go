// Command launch measures how soon Spotter's window is visible after the
// program is started, from outside the process: the time from exec to the
// X server mapping its window (xev watches the root window, so nothing
// polls), and the time until the log says the model is loaded. It runs the
// program -runs times after one warm-up launch and prints the medians.
// `make bench` runs it; it prints and asserts nothing.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/ortlib"
	"github.com/spotter-app/spotter/internal/xvfb"
)

func main() {
	bin := flag.String("bin", "bin/spotter", "the program to launch")
	desc := flag.String("model", "models/mobilenet_v2_1.0_224_quant.json", "model descriptor")
	lib := flag.String("ort-lib", "build/libonnxruntime.so", "ONNX Runtime library")
	runs := flag.Int("runs", 10, "launches measured, after one warm-up")
	flag.Parse()
	log.SetFlags(0)

	display, stop, err := xvfb.Ensure()
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	maps, endXev, err := watchMaps()
	if err != nil {
		log.Fatal(err)
	}
	defer endXev()

	config, err := os.MkdirTemp("", "spotter-launch")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(config)
	env := append(os.Environ(), "LANG=en_US.UTF-8", "XDG_CONFIG_HOME="+config,
		ortlib.EnvVar+"="+abs(*lib), model.EnvVar+"="+abs(*desc))

	var visible, loaded, loadMS []float64
	for i := range *runs + 1 {
		l, err := launch(*bin, env, maps)
		if err != nil {
			log.Fatalf("launch %d: %v", i+1, err)
		}
		if i == 0 {
			continue // warm-up: page cache, fonts, shader cache
		}
		visible = append(visible, ms(l.visible))
		loaded = append(loaded, ms(l.loaded))
		loadMS = append(loadMS, l.loadMS)
	}

	fmt.Printf("Launch: %s on X display %s, %d launches after a warm-up; from exec, seen from outside\n\n", *bin, display, *runs)
	fmt.Printf("%-36s %9s %9s %9s\n", "", "median", "min", "max")
	row := func(name string, v []float64) {
		slices.Sort(v)
		fmt.Printf("%-36s %9.0f %9.0f %9.0f\n", name, v[len(v)/2], v[0], v[len(v)-1])
	}
	row("window visible (mapped) ms", visible)
	row("model loaded (log line) ms", loaded)
	row("  of which loading, in process ms", loadMS)
}

type launched struct {
	visible, loaded time.Duration
	loadMS          float64 // the ms the program's "model loaded" line reports
}

var loadedLine = regexp.MustCompile(`msg="model loaded" ms=(\d+)`)

// launch starts the program, waits for its window and its model, then
// ends it with SIGTERM.
func launch(bin string, env []string, maps <-chan time.Time) (launched, error) {
	var l launched
	for len(maps) > 0 {
		<-maps // left over from an earlier launch
	}
	cmd := exec.Command(bin)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return l, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return l, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	logged := make(chan float64, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := loadedLine.FindStringSubmatch(sc.Text()); m != nil {
				n, _ := strconv.ParseFloat(m[1], 64)
				logged <- n
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	deadline := time.After(30 * time.Second)
	for l.visible == 0 || l.loaded == 0 {
		select {
		case at := <-maps:
			if l.visible == 0 && shown(cmd.Process.Pid) {
				l.visible = at.Sub(start)
			}
		case n := <-logged:
			l.loaded, l.loadMS = time.Since(start), n
		case <-deadline:
			return l, fmt.Errorf("after 30 s: window visible %v, model loaded %v", l.visible, l.loaded)
		}
	}
	return l, nil
}

// shown reports whether the program's window is mapped and viewable. It is
// asked once per window mapped on the display, so nothing polls.
func shown(pid int) bool {
	out, _ := exec.Command("xdotool", "search", "--all", "--onlyvisible", "--pid", strconv.Itoa(pid), "--name", "^Spotter$").Output()
	return len(strings.TrimSpace(string(out))) > 0
}

// watchMaps runs xev on the root window and reports when the X server maps
// a top-level window (a window manager's frame, with one) as the time xev
// told of it.
func watchMaps() (<-chan time.Time, func(), error) {
	cmd := exec.Command("xev", "-root", "-event", "substructure")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("starting xev (apt-get install x11-utils): %w", err)
	}
	maps := make(chan time.Time, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "MapNotify event") {
				select {
				case maps <- time.Now():
				default: // nobody is launching: drop it
				}
			}
		}
	}()
	// xev selects its events once it has started; give it that moment.
	time.Sleep(200 * time.Millisecond)
	return maps, func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}, nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		log.Fatal(err)
	}
	return a
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
