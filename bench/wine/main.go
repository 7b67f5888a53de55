//go:build linux

// Command wine measures the Windows build under Wine against the Linux
// build on the same photos: the time per photo and a folder's photos per
// second (spotter classify, from outside the process: Wine's clock moves
// in 10-30 ms steps), the time to a visible window from a cold start, and
// the package's sizes. `make bench` runs it; it prints and asserts
// nothing.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/ortlib"
	"github.com/spotter-app/spotter/internal/wine"
	"github.com/spotter-app/spotter/internal/xvfb"
)

func main() {
	bin := flag.String("bin", "bin/spotter", "the Linux build")
	win := flag.String("windows", "build/windows/Spotter", "the Windows package's folder")
	shared := flag.String("shared", "../shared", "the shared folder, whose everyday-dev photos are classified")
	runs := flag.Int("runs", 3, "runs of each measurement; the median is printed")
	flag.Parse()
	log.SetFlags(0)

	tmp, err := os.MkdirTemp("", "spotter-wine-bench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	display, stop, err := xvfb.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	env := append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "XDG_CONFIG_HOME="+tmp)
	prefix, err := wine.New(filepath.Join(tmp, "prefix"), env)
	if err != nil {
		log.Fatal(err)
	}
	defer prefix.Close()
	linuxEnv := append(env, ortlib.EnvVar+"="+abs("build/libonnxruntime.so"), model.EnvVar+"="+abs("models/mobilenet_v2_1.0_224_quant.json"))

	photos, _ := filepath.Glob(filepath.Join(*shared, "everyday-dev", "*.jpg"))
	one := filepath.Join(tmp, "one")
	os.MkdirAll(one, 0o755)
	link(photos[0], filepath.Join(one, filepath.Base(photos[0])))
	folder := filepath.Join(tmp, "folder")
	os.MkdirAll(folder, 0o755)
	for _, p := range photos {
		link(p, filepath.Join(folder, filepath.Base(p)))
	}

	linuxClassify := func(dir string) *exec.Cmd {
		cmd := exec.Command(*bin, "classify", "--json", "--fresh", "--no-text", dir)
		cmd.Env = append(linuxEnv, "SPOTTER_CATALOG="+filepath.Join(tmp, "linux.db"))
		return cmd
	}
	windowsClassify := func(dir string) *exec.Cmd {
		cmd := prefix.Command(filepath.Join(*win, "spotter.com"), "classify", "--json", "--fresh", wine.Path(dir))
		cmd.Env = append(cmd.Env, "SPOTTER_CATALOG="+wine.Path(filepath.Join(tmp, "windows.db")))
		return cmd
	}
	fmt.Printf("The Windows build under Wine %s against the Linux build: %d everyday-dev photos, medians of %d runs\n\n", wineVersion(), len(photos), *runs)
	fmt.Printf("%-44s %12s %12s %10s\n", "", "Linux", "Wine", "Wine/Linux")
	row := func(name string, l, w float64, unit string) {
		fmt.Printf("%-44s %9.1f %-2s %9.1f %-2s %9.2fx\n", name, l, unit, w, unit, w/l)
	}
	l1, lN := median(*runs, linuxClassify(one)), median(*runs, linuxClassify(folder))
	w1, wN := median(*runs, windowsClassify(one)), median(*runs, windowsClassify(folder))
	n := float64(len(photos))
	row("classify one photo, start to end", l1, w1, "ms")
	row("each further photo (folder − one)/(n − 1)", (lN-l1)/(n-1), (wN-w1)/(n-1), "ms")
	row("folder, photos/s from start", n/(lN/1000), n/(wN/1000), "/s")

	linuxWindow := func() *exec.Cmd {
		cmd := exec.Command(*bin)
		cmd.Env = linuxEnv
		return cmd
	}
	windowsWindow := func() *exec.Cmd { return prefix.Command(filepath.Join(*win, "spotter.exe")) }
	row("cold start to a visible window", visible(*runs, display, linuxWindow, func() {}), visible(*runs, display, windowsWindow, prefix.Close), "ms")

	fmt.Printf("\n%-44s %12s\n", "Windows package", "MB")
	for _, f := range []string{"build/Spotter-windows-amd64.zip", "build/Spotter-windows-amd64-setup.exe",
		filepath.Join(*win, "spotter.exe"), filepath.Join(*win, "onnxruntime.dll"), filepath.Join(*win, "libheif.dll"), filepath.Join(*win, "libde265.dll")} {
		fmt.Printf("%-44s %12.1f\n", filepath.Base(f), size(f))
	}
	fmt.Printf("%-44s %12.1f\n", "the Linux package (tar.xz), for comparison", size("build/Spotter-linux-amd64.tar.xz"))
}

// median runs cmd runs times after a warm-up and returns the median wall
// time in ms.
func median(runs int, cmd *exec.Cmd) float64 {
	var times []float64
	for i := range runs + 1 {
		c := exec.Command(cmd.Path, cmd.Args[1:]...)
		c.Env = cmd.Env
		start := time.Now()
		if out, err := c.CombinedOutput(); err != nil {
			log.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
		}
		if i > 0 {
			times = append(times, float64(time.Since(start).Microseconds())/1000)
		}
	}
	slices.Sort(times)
	return times[len(times)/2]
}

// visible starts the window runs times (after a warm-up) and returns the
// median time until xdotool sees it mapped; stop ends what the kill of
// the command left running.
func visible(runs int, display string, command func() *exec.Cmd, stop func()) float64 {
	var times []float64
	for i := range runs + 1 {
		cmd := command()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			log.Fatal(err)
		}
		for {
			search := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^Spotter$")
			search.Env = append(os.Environ(), "DISPLAY="+display)
			if out, _ := search.Output(); len(strings.TrimSpace(string(out))) > 0 {
				break
			}
			if time.Since(start) > time.Minute {
				log.Fatalf("%s: no window after a minute\n%s", strings.Join(cmd.Args, " "), stderr.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		if i > 0 {
			times = append(times, float64(time.Since(start).Microseconds())/1000)
		}
		cmd.Process.Kill()
		cmd.Wait()
		// Wine's process may outlive the wine command that started it.
		for {
			search := exec.Command("xdotool", "search", "--name", "^Spotter$")
			search.Env = append(os.Environ(), "DISPLAY="+display)
			if out, _ := search.Output(); len(strings.TrimSpace(string(out))) == 0 {
				break
			}
			stop()
			time.Sleep(100 * time.Millisecond)
		}
	}
	slices.Sort(times)
	return times[len(times)/2]
}

func wineVersion() string {
	out, _ := exec.Command("wine", "--version").Output()
	return strings.TrimSpace(string(out))
}

func link(src, dst string) {
	if err := os.Symlink(abs(src), dst); err != nil {
		log.Fatal(err)
	}
}

func size(path string) float64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return float64(info.Size()) / 1e6
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		log.Fatal(err)
	}
	return a
}
