//go:build windows

// Command spotter-console is spotter.com, the console twin of spotter.exe
// in Spotter's Windows package. spotter.exe is a windows-subsystem program,
// so double-clicking it opens no console window; but a Command Prompt or
// PowerShell then neither waits for it nor gives it the console to print
// in. Typing `spotter classify …` runs spotter.com instead, since Windows
// tries .com before .exe: it starts spotter.exe with its own console
// handles, waits, and returns its exit status, so the command line works as
// on Linux, in scripts and pipes too.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
)

func main() {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "spotter: cannot find where Spotter is installed:", err)
		os.Exit(1)
	}
	cmd := exec.Command(filepath.Join(filepath.Dir(exe), "spotter.exe"), os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "spotter: cannot start %s: %v. Reinstall Spotter\n", cmd.Path, err)
		os.Exit(1)
	}
	// Ctrl+C reaches only the programs attached to the console, and
	// spotter.exe is not: it is stopped here, as Ctrl+C stops it on Linux.
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt)
	go func() {
		<-interrupt
		cmd.Process.Kill()
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		os.Exit(exit.ExitCode())
	case err != nil:
		fmt.Fprintln(os.Stderr, "spotter:", err)
		os.Exit(1)
	}
}
