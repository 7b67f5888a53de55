// Package quietlocale keeps Fyne's start-up from printing "Error parsing
// user locale C" under LANG=C.UTF-8, the default of most containers and CI
// images. Fyne parses the locale in an init function and logs the failure
// through the standard logger, so the only place to stop it is an earlier
// init: this package imports nothing of Fyne's and sorts before the Fyne
// packages that wait on golang.org/x/text, so Go initialises it first (the
// spec orders ready packages by import path). main calls Restore once
// every init has run.
package quietlocale

import (
	"io"
	"log"
	"os"
	"strings"
)

var silenced bool

func init() {
	if posixLocale() {
		log.SetOutput(io.Discard)
		silenced = true
	}
}

// posixLocale reports whether the locale Fyne will read is C or POSIX,
// which golang.org/x/text cannot parse; Fyne then falls back to English,
// so the message says nothing a person could act on.
func posixLocale() bool {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc := os.Getenv(v); loc != "" {
			base, _, _ := strings.Cut(loc, ".")
			return base == "C" || base == "POSIX"
		}
	}
	return false
}

// Restore sends the standard logger to stderr again.
func Restore() {
	if silenced {
		log.SetOutput(os.Stderr)
	}
}
