package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

func init() {
	// help lists the table it is in: in the table's literal it would refer
	// to itself.
	commands["help"] = command{help, "list the commands, or show one's flags and examples (spotter help COMMAND)"}
}

// help is `spotter help [COMMAND]`: the overview `spotter -h` prints, or
// the usage `spotter COMMAND -h` prints, on stdout as asked for. Exit
// status 2 for a command there is not.
func help(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spotter help", flag.ContinueOnError)
	setUsage(fs, "Usage: spotter help [COMMAND]\nLists the commands, or shows COMMAND's flags and examples, as spotter COMMAND -h does.",
		"spotter help",
		"spotter help classify")
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}
	switch fs.NArg() {
	case 0:
		top, _ := windowFlags(&windowOptions{})
		top.SetOutput(stdout)
		top.Usage()
		return 0
	case 1:
		c, ok := commands[fs.Arg(0)]
		if !ok {
			fmt.Fprintln(stderr, unknownCommand(fs.Arg(0), false))
			return 2
		}
		return c.run([]string{"-h"}, stdout, stdout)
	}
	fs.Usage()
	return 2
}

// setUsage makes fs's usage about (its first line the synopsis), then
// its flags and examples, written where fs's output goes.
func setUsage(fs *flag.FlagSet, about string, examples ...string) {
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, about)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
		fmt.Fprintln(w, "\nExamples:")
		for _, e := range examples {
			fmt.Fprintln(w, "  "+e)
		}
	}
}

// overview is the top of `spotter -h`: the two ways to run Spotter and
// every command in a line.
func overview() string {
	var b strings.Builder
	b.WriteString("Usage: spotter [flags] [PHOTO|FOLDER…]        open the window and classify what is named\n")
	b.WriteString("       spotter COMMAND [flags] [ARGUMENTS…]  work on the command line, with no window\n\nCommands:\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, name := range commandNames() {
		fmt.Fprintf(tw, "  %s\t%s\n", name, commands[name].summary)
	}
	tw.Flush()
	b.WriteString("\nspotter help COMMAND (or spotter COMMAND -h) shows a command's flags and examples.")
	return b.String()
}

// commandNames are the commands, sorted.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// unknownCommand says word is no command, suggesting the closest one when
// it is near enough to be a slip of the keys; notFile adds, when there is
// no such command, that word is no file either (the window would have
// opened it).
func unknownCommand(word string, notFile bool) string {
	msg := fmt.Sprintf("spotter: unknown command %q", word)
	switch s := closest(word); {
	case s != "":
		msg += fmt.Sprintf("; did you mean %q?", s)
	case notFile:
		msg += ", and there is no file or folder of that name."
	default:
		msg += "."
	}
	return msg + " Run spotter help to list the commands."
}

// closest is the command nearest to word, or "" when none is near enough:
// a third of the command's letters may differ (one for short ones), so
// "clasify" finds "classify" and "cat" does not find "tag".
func closest(word string) string {
	best, bestDist := "", 0
	for _, name := range commandNames() {
		d := editDistance(strings.ToLower(word), name)
		if d <= max(1, len(name)/3) && (best == "" || d < bestDist) {
			best, bestDist = name, d
		}
	}
	return best
}

// editDistance counts the letters to insert, delete, replace or swap with
// their neighbour to make a into b (the optimal string alignment distance):
// a swap is the commonest slip, so "serach" is one step from "search".
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// d[i][j] is the distance between x[:i] and y[:j].
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
