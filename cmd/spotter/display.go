package main

import (
	"fmt"
	"io"
	"reflect"
	"strings"
)

// noWindow says the window cannot open because of problem, and what works
// instead; it returns the exit status for it.
func noWindow(stderr io.Writer, problem string) int {
	fmt.Fprintf(stderr, "spotter: the window needs a graphical session, and %s. Without one, use the commands: spotter %s (spotter help says what each does)\n",
		problem, strings.Join(commandNames(), ", "))
	return 2
}

// session names the display the window would open on, for messages.
func session(getenv func(string) string) string {
	if d := getenv("DISPLAY"); d != "" {
		return "the X display " + d
	}
	if d := getenv("WAYLAND_DISPLAY"); d != "" {
		return "the Wayland display " + d
	}
	return "the display"
}

// fromGLFW reports whether a panic is GLFW's: its Go binding panics with
// its *Error when the C library fails where it expects no failure, which is
// how an unusable display shows. Matched by package so that Spotter need
// not import the binding Fyne brings.
func fromGLFW(r any) bool {
	t := reflect.TypeOf(r)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t != nil && strings.HasPrefix(t.PkgPath(), "github.com/go-gl/glfw/")
}
