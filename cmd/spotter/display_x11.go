//go:build !windows && !darwin

package main

import (
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// displayProblem says why the window cannot open here, or "" when it may:
// no display named, or an X display that nothing answers at. Fyne's GLFW
// speaks X11 unless built for Wayland; with a Wayland session named it is
// left to GLFW, whose failure window recovers. An X server that answers
// but refuses Spotter (a wrong Xauthority) is GLFW's to find out, too.
func displayProblem(getenv func(string) string) string {
	display := getenv("DISPLAY")
	switch {
	case getenv("WAYLAND_DISPLAY") != "":
		return ""
	case display == "":
		return "there is none here (neither DISPLAY nor WAYLAND_DISPLAY is set, as over SSH or in a container)"
	}
	addrs := xAddresses(display)
	if len(addrs) == 0 {
		return "" // a form Xlib reads and this does not: GLFW will tell
	}
	var err error
	for _, a := range addrs {
		var c net.Conn
		// An X server answers at once; SSH's forwarded display is local too.
		if c, err = net.DialTimeout(a.network, a.address, 3*time.Second); err == nil {
			c.Close()
			return ""
		}
	}
	return fmt.Sprintf("no X server answers at DISPLAY=%s (%v)", display, err)
}

type socketAddress struct{ network, address string }

// xAddresses are where Xlib connects for display, DISPLAY's
// "[protocol/][host]:number[.screen]": a host's TCP port 6000+number, or on
// this machine the socket in /tmp/.X11-unix, which Linux also offers in its
// abstract namespace (reachable where the folder is not, as from a
// container that shares the host's network). None for forms it does not
// parse, as DECnet's "host::0" or a socket's path.
func xAddresses(display string) []socketAddress {
	protocol, rest, hasProtocol := strings.Cut(display, "/")
	if !hasProtocol {
		protocol, rest = "", display
	}
	colon := strings.LastIndex(rest, ":")
	if colon < 0 || strings.HasPrefix(display, "/") {
		return nil
	}
	host, number := rest[:colon], rest[colon+1:]
	if strings.HasSuffix(host, ":") {
		return nil
	}
	number, _, _ = strings.Cut(number, ".")
	n, err := strconv.Atoi(number)
	if err != nil || n < 0 {
		return nil
	}
	if protocol == "unix" || (protocol == "" && (host == "" || host == "unix")) {
		path := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		addrs := []socketAddress{{"unix", path}}
		if runtime.GOOS == "linux" {
			addrs = append([]socketAddress{{"unix", "@" + path}}, addrs...)
		}
		return addrs
	}
	return []socketAddress{{"tcp", net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(6000+n))}}
}
