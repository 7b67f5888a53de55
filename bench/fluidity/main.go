// Command fluidity measures how well the window keeps up while it works:
// the real window (Fyne's GL driver on X11; a private Xvfb when $DISPLAY is
// unset) and the real ui package. A probe posts to the UI thread every
// 10 ms and records how long each post waited to run; a post that waits
// long is a frame, a click or a key press that waits as long. It measures,
// each in a process of its own (Fyne runs one app per process, and each
// phase's peak memory is its own):
//   - grid, list: a folder of photos of mixed sizes dropped once the model
//     has loaded, with the library as a grid and as a list, until the last
//     answer is shown;
//   - scroll: a library of 100,000 photos in the grid, paged through with
//     real key presses and mouse-wheel turns (xdotool) as fast as a person
//     holding a key.
//
// `make bench` runs it; it prints and asserts nothing.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spotter-app/spotter/internal/xvfb"
)

// config is what a phase's process is told.
type config struct {
	Model   string
	Photos  int
	Library int
	Every   time.Duration
	Timeout time.Duration
	Profile string // the CPU profile to write, "" for none
	Dir     string // prepared by the bench: photos/, library/
	Phase   string
}

// figures are what a phase measured: a row of the table, or for the
// scroll one per kind of step.
type figures struct {
	Rows    []measured
	PeakKiB int    // VmHWM
	Pages   int    // library pages the window read
	Reach   string // the photos in them, as ranges
	Thumbs  int    // thumbnails in the phase's own cache
}

type measured struct {
	What     string
	Seconds  float64
	Answered int // the queue's photos answered
	Steps    int // key presses or wheel turns sent
	Summary  summary
}

var phaseNames = map[string]string{
	"grid":   "queue in the grid",
	"list":   "queue in the list",
	"index":  "index the folder",
	"scroll": "scroll the library",
}

func main() {
	shared := flag.String("shared", "../shared", "the shared folder with photos/")
	var c config
	flag.StringVar(&c.Model, "model", "models/mobilenet_v2_1.0_224_quant.json", "model descriptor")
	flag.IntVar(&c.Photos, "photos", 200, "photos in the dropped folder")
	flag.IntVar(&c.Library, "library", 100000, "photos in the library scrolled")
	flag.DurationVar(&c.Every, "every", 10*time.Millisecond, "how often the probe posts to the UI thread")
	phases := flag.String("phases", "grid,list,index,scroll", "the phases to run, in order: grid and list drop the folder on that layout, index has the window index it as a library folder (in the grid), scroll pages through the library in the grid")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of each phase's measured run to this file, the phase's name put before the extension (cpu.prof: cpu.grid.prof)")
	flag.DurationVar(&c.Timeout, "timeout", 5*time.Minute, "give up on a phase, printing every goroutine's stack, after this long")
	flag.StringVar(&c.Phase, "phase", "", "run only this phase, in this process, into the folder -dir prepared by the bench (the bench runs itself so)")
	flag.StringVar(&c.Dir, "dir", "", "the folder the bench prepared, for -phase")
	flag.StringVar(&c.Profile, "phase-cpuprofile", "", "the CPU profile of -phase")
	flag.Parse()
	log.SetFlags(0)

	if c.Phase != "" {
		if c.Dir == "" {
			log.Fatal("-phase runs in the folder the bench prepares: give -dir, or leave -phase out to run the whole bench")
		}
		f, err := runPhase(c)
		if err != nil {
			log.Fatal(err)
		}
		data, err := json.Marshal(f)
		if err == nil {
			err = os.WriteFile(filepath.Join(c.Dir, c.Phase+".json"), data, 0o644)
		}
		if err != nil {
			log.Fatal(err)
		}
		return
	}

	run := strings.Split(*phases, ",")
	for _, p := range run {
		if phaseNames[p] == "" {
			log.Fatalf("-phases: %q is not a phase; the phases are grid, list, index and scroll", p)
		}
	}
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
	c.Dir = tmp
	sources, kinds := photoSources(*shared, tmp)
	links(sources, filepath.Join(tmp, "photos"), c.Photos)
	links(sources, filepath.Join(tmp, "library"), len(sources)*poolCopies)

	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	results := map[string]figures{}
	failed := false
	for _, p := range run {
		pc := c
		pc.Phase = p
		if *cpuProfile != "" {
			ext := filepath.Ext(*cpuProfile)
			pc.Profile = strings.TrimSuffix(*cpuProfile, ext) + "." + p + ext
		}
		f, err := spawn(self, pc)
		if err != nil {
			log.Print(err)
			failed = true
			continue
		}
		results[p] = f
	}

	fmt.Printf("UI fluidity of the real window (X display %s): a probe posts to the UI thread every %v\n", display, c.Every)
	fmt.Printf("and records how long each post waited to run (aim: worst under 50 ms).\n")
	fmt.Printf("  queue: a folder of %d photos (%s) dropped once the model has loaded, until the last answer shows;\n", c.Photos, kinds)
	fmt.Printf("  index: the same folder a library folder, indexed by the window (on half the processors, at nice 19) until the last;\n")
	fmt.Printf("  scroll: a library of %d photos (%d files in turn) in the grid: keys %d Page Down, End, %d Page Up,\n", c.Library, len(sources)*poolCopies, pageDowns, pageUps)
	fmt.Printf("  then wheel %d turns down and %d up over the grid, one step every %s ms; each until the window has caught up, and %v more.\n\n", wheelDown, wheelUp, stepDelay, settle)
	fmt.Printf("%-18s %8s %7s %10s %8s %9s %9s %13s\n", "what", "seconds", "probes", "median ms", "p99 ms", "worst ms", "photos/s", "peak RSS MiB")
	var notes []string
	for _, p := range run {
		f, ok := results[p]
		if !ok {
			fmt.Printf("%-18s failed, see above\n", phaseNames[p])
			continue
		}
		for _, r := range f.Rows {
			s := r.Summary
			rate := "-"
			if r.Answered > 0 {
				rate = fmt.Sprintf("%.1f", float64(r.Answered)/r.Seconds)
			}
			fmt.Printf("%-18s %8.2f %7d %10.2f %8.2f %9.2f %9s %13.0f\n", r.What, r.Seconds, s.Probes,
				s.Median, s.P99, s.Worst, rate, float64(f.PeakKiB)/1024)
			notes = append(notes, fmt.Sprintf("%s: UI thread on a CPU %.1f s of %.1f s; %s", r.What, s.OnCPU/1000, r.Seconds, explain(s.Stalls)))
		}
		if p == "scroll" {
			notes = append(notes, fmt.Sprintf("scroll: the window read %d pages of the library, photos %s, and made %d thumbnails.",
				f.Pages, f.Reach, f.Thumbs))
		}
	}
	fmt.Printf("\nThe longest waits: the UI thread's own CPU time during each, and how busy the machine's CPUs were\n(readings 5 ms apart; with -cpuprofile, go tool pprof -tagfocus probe=N shows the UI thread's work in it):\n")
	for _, n := range notes {
		fmt.Println("  " + n)
	}
	if failed {
		os.Exit(1)
	}
}

// spawn runs one phase in a process of its own, with its own settings and
// thumbnail cache so the person's are neither read nor changed, and reads
// its figures.
func spawn(self string, c config) (figures, error) {
	home := filepath.Join(c.Dir, c.Phase)
	args := []string{"-phase", c.Phase, "-dir", c.Dir, "-model", c.Model, "-photos", fmt.Sprint(c.Photos),
		"-library", fmt.Sprint(c.Library), "-every", c.Every.String(), "-timeout", c.Timeout.String()}
	if c.Profile != "" {
		args = append(args, "-phase-cpuprofile", c.Profile)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Run(); err != nil {
		return figures{}, fmt.Errorf("the %s phase failed: %v", c.Phase, err)
	}
	var f figures
	data, err := os.ReadFile(filepath.Join(c.Dir, c.Phase+".json"))
	if err == nil {
		err = json.Unmarshal(data, &f)
	}
	for _, r := range f.Rows {
		if err == nil && r.Summary.Probes == 0 {
			err = fmt.Errorf("no probe ran during %s", r.What)
		}
	}
	if err != nil {
		return figures{}, fmt.Errorf("the %s phase measured nothing: %v", c.Phase, err)
	}
	return f, nil
}

// poolCopies is how many paths the library gives each photo: the window
// makes a thumbnail per path, so the first screens decode the files and
// the later ones read the thumbnail cache, as in a library seen before.
const poolCopies = 20

// photoSources are the shared photos and a 4000x3000 JPEG made here from
// the first, with a description of the mix.
func photoSources(shared, dir string) (sources []string, kinds string) {
	sources, err := filepath.Glob(filepath.Join(shared, "photos", "*.jpg"))
	if err != nil || len(sources) == 0 {
		log.Fatalf("no photos in %s/photos", shared)
	}
	big := filepath.Join(dir, "4000x3000.jpg")
	if out, err := exec.Command("convert", sources[0], "-resize", "4000x3000!", big).CombinedOutput(); err != nil {
		log.Fatalf("convert (apt-get install imagemagick): %v\n%s", err, out)
	}
	kinds = fmt.Sprintf("the %d shared photos and a 4000x3000 JPEG, in turn", len(sources))
	return append(sources, big), kinds
}

// links fills folder with count links to sources, in turn.
func links(sources []string, folder string, count int) {
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
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// explain says what the UI thread did during the longest waits.
func explain(stalls []stall) string {
	var parts []string
	for _, s := range stalls {
		var about []string
		if s.After >= 0 { // before the first probe ran, the samples have no label
			about = append(about, fmt.Sprintf("probe=%d", s.After))
		}
		if s.Sample {
			about = append(about, fmt.Sprintf("UI thread on a CPU %.0f ms, CPUs %.0f %% busy", s.OnCPU, s.Busy))
		}
		parts = append(parts, fmt.Sprintf("%.0f ms (%s)", ms(s.Delay), strings.Join(about, ": ")))
	}
	return strings.Join(parts, ", ")
}
