package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// wait is one probe: when it was posted, since the phase began, and how
// long it waited for the UI thread.
type wait struct {
	At, Delay time.Duration
	Row       int // the table's row it counts towards, -1 for none
	Seq       int // the probe's number: with -cpuprofile, the UI thread's samples until the next probe carry it as label "probe"
}

// stall explains one of the longest waits: how much of it the UI thread
// spent on a CPU (its own work, Fyne's included), and how busy the machine
// was meanwhile (another process or thread taking the CPUs).
type stall struct {
	Delay  time.Duration
	After  int     // the label of the UI thread's samples during it
	OnCPU  float64 // ms the UI thread ran
	Busy   float64 // percent of all CPUs busy
	Sample bool    // the sampler saw the whole of it
}

// usage is a moment's reading of the UI thread's CPU time and the
// machine's busy and total time.
type usage struct {
	at          time.Duration
	ui          float64 // ms
	busy, total uint64  // jiffies over all CPUs
}

// sampler reads the UI thread's (the main thread's: Fyne locks it there)
// CPU time and the machine's every few milliseconds, so the longest waits
// can be told apart: the UI thread working, or waiting for a CPU.
type sampler struct {
	start time.Time
	stop  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	got   []usage
}

func startSampler(start time.Time, every time.Duration) *sampler {
	s := &sampler{start: start, stop: make(chan struct{})}
	path := fmt.Sprintf("/proc/self/task/%d/sched", os.Getpid())
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if u, ok := read(path); ok {
				u.at = time.Since(s.start)
				s.mu.Lock()
				s.got = append(s.got, u)
				s.mu.Unlock()
			}
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *sampler) end() []usage {
	close(s.stop)
	s.wg.Wait()
	return s.got
}

func read(sched string) (usage, bool) {
	var u usage
	data, err := os.ReadFile(sched)
	if err != nil {
		return u, false
	}
	found := false
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "se.sum_exec_runtime" {
			u.ui, err = strconv.ParseFloat(strings.TrimSpace(v), 64)
			found = err == nil
		}
	}
	stat, err := os.ReadFile("/proc/stat")
	if err != nil || !found {
		return u, false
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:] {
		n, _ := strconv.ParseUint(v, 10, 64)
		u.total += n
		if i != 3 && i != 4 { // idle, iowait
			u.busy += n
		}
	}
	return u, true
}

// summary is what the table prints of a run of waits.
type summary struct {
	Probes             int
	Median, P99, Worst float64 // ms
	OnCPU              float64 // ms the UI thread ran from the first probe to the last
	Stalls             []stall
}

// summarise takes the percentiles of waits and explains the longest few
// that do not overlap (a stall delays every probe posted during it).
func summarise(waits []wait, used []usage, explain int) summary {
	if len(waits) == 0 {
		return summary{}
	}
	first, last := waits[0], waits[len(waits)-1]
	s := summary{Probes: len(waits)}
	s.OnCPU, _, _ = between(used, first.At, last.At+last.Delay)
	byDelay := slices.Clone(waits)
	slices.SortFunc(byDelay, func(a, b wait) int { return int(a.Delay - b.Delay) })
	n := len(byDelay)
	s.Median, s.P99, s.Worst = ms(byDelay[n/2].Delay), ms(byDelay[min(n-1, n*99/100)].Delay), ms(byDelay[n-1].Delay)
	var taken []wait
	for _, w := range slices.Backward(byDelay) {
		if len(taken) == explain {
			break
		}
		if slices.ContainsFunc(taken, func(t wait) bool { return w.At < t.At+t.Delay && t.At < w.At+w.Delay }) {
			continue
		}
		taken = append(taken, w)
		st := stall{Delay: w.Delay, After: w.Seq - 1}
		st.OnCPU, st.Busy, st.Sample = between(used, w.At, w.At+w.Delay)
		s.Stalls = append(s.Stalls, st)
	}
	return s
}

// between is the UI thread's CPU time from the reading just before from
// to the one just after to, and how busy the machine was, in percent.
func between(used []usage, from, to time.Duration) (onCPU, busy float64, ok bool) {
	i := max(0, search(used, from)-1)
	j := search(used, to)
	if i >= j || j >= len(used) {
		return 0, 0, false
	}
	a, b := used[i], used[j]
	if b.total > a.total {
		busy = 100 * float64(b.busy-a.busy) / float64(b.total-a.total)
	}
	return b.ui - a.ui, busy, true
}

// search is the first reading at or after at.
func search(used []usage, at time.Duration) int {
	i, _ := slices.BinarySearchFunc(used, at, func(u usage, at time.Duration) int { return int(u.at - at) })
	return i
}
