//go:build linux

// Package xvfb gives the window's benches and end-to-end tests an X
// display: a private Xvfb server, or for a bench the one in $DISPLAY.
package xvfb

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Ensure returns the display to use and a function that stops the server
// it started, if any. Without $DISPLAY it starts one (Start) and sets
// $DISPLAY for this process and its children.
func Ensure() (display string, stop func(), err error) {
	if d := os.Getenv("DISPLAY"); d != "" {
		return d, func() {}, nil
	}
	display, stop, err = Start()
	if err != nil {
		return "", nil, err
	}
	if err := os.Setenv("DISPLAY", display); err != nil {
		stop()
		return "", nil, err
	}
	return display, stop, nil
}

// Start starts a private Xvfb on a free display and returns it once it
// accepts clients, with the function that stops it. Xvfb picks the display
// itself and reports it through -displayfd: a scan of /tmp/.X11-unix took
// the lock files left by servers that were killed for displays in use,
// and ran out of them.
func Start() (display string, stop func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	// -ac: a private server for one run's own clients, which need no
	// authorisation, whatever $HOME or $XAUTHORITY they are given.
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-ac", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	// Ends with its caller even when that dies without stopping it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return "", nil, fmt.Errorf("starting Xvfb (apt-get install xvfb): %w", err)
	}
	stop = func() {
		// Asked to end, Xvfb removes its lock file; killed, it cannot.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			stop()
			return "", nil, fmt.Errorf("xvfb ended without reporting its display")
		}
		return ":" + n, stop, nil
	case <-time.After(10 * time.Second):
		stop()
		return "", nil, fmt.Errorf("xvfb did not start within 10 s")
	}
}
