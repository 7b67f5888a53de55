package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/library/keywords"
	"github.com/spotter-app/spotter/library/sidecar"
)

// Reviews remembers a person's verdicts on the keywords Spotter suggests,
// per photo, so a rejected keyword is never suggested for that photo again.
// The catalogue satisfies it through an adapter; without one, verdicts last
// as long as the window.
type Reviews interface {
	// Rejected returns the keywords rejected for photo; none is no error.
	Rejected(photo string) ([]string, error)
	// Review records keyword as accepted (true) or rejected (false) for
	// photo, replacing any earlier verdict.
	Review(photo, keyword string, accepted bool) error
}

// reviewPanel shows the selected photo's suggested keywords, each with a
// check: a checked keyword is written when the person applies; unchecking
// rejects it for that photo.
type reviewPanel struct {
	box    *fyne.Container
	checks *fyne.Container
	note   *widget.Label
	write  *widget.Button
	remove *widget.Button
}

func newReviewPanel(write, remove func()) *reviewPanel {
	p := &reviewPanel{checks: container.NewVBox(), note: widget.NewLabel("")}
	p.note.Wrapping = fyne.TextWrapWord
	p.write = widget.NewButtonWithIcon("Write keywords", theme.DocumentSaveIcon(), write)
	p.remove = widget.NewButtonWithIcon("Remove Spotter keywords", theme.ContentUndoIcon(), remove)
	p.box = container.NewVBox(
		widget.NewLabelWithStyle("Keywords", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		p.checks, container.NewHBox(container.NewVBox(p.write, p.remove)), p.note)
	p.box.Hide()
	return p
}

// show lists r's suggestions; onVerdict runs when a check changes. picked
// is how many photos the buttons apply to.
func (p *reviewPanel) show(r *row, threshold float32, picked int, onVerdict func(keyword string, accepted bool)) {
	p.checks.RemoveAll()
	var kws []string
	if r.state == done {
		kws = keywords.Suggest(r.res, threshold)
	}
	for _, kw := range kws {
		c := widget.NewCheck(kw, nil)
		c.SetChecked(!r.rejected[kw])
		c.OnChanged = func(on bool) { onVerdict(kw, on) }
		p.checks.Add(c)
	}
	note, importance := r.tagNote, widget.MediumImportance
	switch {
	case r.tagErr:
		importance = widget.DangerImportance
	case picked > 1:
		note = fmt.Sprintf("%d photos are picked: Write keywords and Remove apply to each of them, with its own keywords.", picked)
	case note == "" && len(kws) == 0:
		note = "Spotter is not sure what this photo shows, so it suggests no keywords."
	case note == "":
		note = "Nothing is written until you choose Write keywords. Uncheck a keyword to reject it for this photo."
	}
	p.note.Importance = importance
	p.note.SetText(note)
	setEnabled(p.write, len(kws) > 0 || picked > 1)
	p.box.Show()
}

// verdict records a checked or unchecked keyword for the selected photo.
func (w *Window) verdict(r *row, keyword string, accepted bool) {
	if r.rejected == nil {
		r.rejected = map[string]bool{}
	}
	r.rejected[keyword] = !accepted
	if w.reviews == nil {
		return
	}
	path := r.path
	w.chores.Add("remembering a keyword", func(context.Context) func() {
		if err := w.reviews.Review(path, keyword, accepted); err != nil {
			return func() {
				w.showNotice(fmt.Sprintf("Spotter could not remember your choice for “%s” on %s: %v. It applies until you close the window.",
					keyword, filepath.Base(path), err))
			}
		}
		return nil
	})
}

// loadVerdicts fetches the remembered verdicts for a photo once, then shows
// them if it is still selected.
func (w *Window) loadVerdicts(r *row) {
	if w.reviews == nil || r.verdictsAsked {
		return
	}
	r.verdictsAsked = true
	id, path := r.id, r.path
	w.chores.Add("reading rejected keywords", func(context.Context) func() {
		stored, err := w.reviews.Rejected(path)
		return func() {
			r := w.table.byID[id]
			if r == nil {
				return
			}
			if err != nil {
				w.showNotice(fmt.Sprintf("Spotter could not read the keywords rejected for %s: %v.", r.name, err))
				return
			}
			if r.rejected == nil {
				r.rejected = map[string]bool{}
			}
			for _, kw := range stored {
				if _, decided := r.rejected[kw]; !decided { // a choice made meanwhile is newer
					r.rejected[kw] = true
				}
			}
			if id == w.selected {
				w.showDetail(r)
			}
		}
	})
}

// tagOutcome is what happened to one photo's sidecar.
type tagOutcome struct {
	path string
	note string
	err  bool
}

// writeKeywords writes the accepted keywords of the selected photo, or of
// every row shown (the library's too), into XMP sidecars off the UI
// thread. Photos Spotter is not sure about get none.
func (w *Window) writeKeywords(all bool) {
	photos, ok := w.targets(all)
	if !ok {
		return
	}
	model := ""
	model = w.engineInfo.Model
	threshold := w.table.threshold
	w.status.say("Writing keywords…")
	w.chores.Add("writing keywords", func(context.Context) func() {
		var jobs []photo
		unsure := 0
		err := photos(func(p photo) error {
			if p.err == "" && p.res.Sure(threshold) {
				jobs = append(jobs, p)
			} else {
				unsure++
			}
			return nil
		})
		out := w.writeAll(jobs, threshold, model, time.Now())
		return func() {
			if err != nil {
				w.showNotice(err.Error())
			}
			w.tagged(out, unsure, "written")
		}
	})
}

// targets are the photos a keyword action applies to: those picked (the
// selected one, or those picked with Ctrl or Shift), or every row shown.
// It is false when there are none.
func (w *Window) targets(all bool) (photos func(yield func(photo) error) error, ok bool) {
	if all || w.table.all {
		return w.shown(), w.table.length() > 0
	}
	var list []photo
	for id := range w.picked() {
		list = append(list, w.table.byID[id].photo())
	}
	return func(yield func(photo) error) error {
		for _, p := range list {
			if err := yield(p); err != nil {
				return err
			}
		}
		return nil
	}, len(list) > 0
}

// pickedCount is how many photos the keyword actions apply to.
func (w *Window) pickedCount() int {
	if w.table.all {
		return w.table.length()
	}
	return len(w.picked())
}

// picked are the rows picked with Ctrl or Shift, or else the selected one.
func (w *Window) picked() map[uint64]bool {
	out := map[uint64]bool{}
	for id := range w.table.marked {
		if w.table.byID[id] != nil {
			out[id] = true
		}
	}
	if len(out) == 0 && w.table.byID[w.selected] != nil {
		out[w.selected] = true
	}
	return out
}

// writeAll writes the photos' sidecars, leaving out the keywords rejected
// in the window and those the catalogue remembers.
func (w *Window) writeAll(jobs []photo, threshold float32, model string, date time.Time) []tagOutcome {
	out := make([]tagOutcome, len(jobs))
	var writes []sidecar.Job
	var written []int // writes[i] is jobs[written[i]]'s
	for i, j := range jobs {
		out[i].path = j.path
		rejected := j.rejected
		if w.reviews != nil {
			stored, err := w.reviews.Rejected(j.path)
			if err != nil {
				out[i].err, out[i].note = true, fmt.Sprintf(
					"Keywords not written: the keywords rejected for this photo could not be read (%v). Try again.", err)
				continue
			}
			if rejected == nil {
				rejected = map[string]bool{}
			}
			for _, kw := range stored {
				if _, decided := rejected[kw]; !decided {
					rejected[kw] = true
				}
			}
		}
		k, ok := keywords.For(j.res, threshold, rejected, model, date)
		if !ok {
			out[i].note = "Every keyword is rejected: nothing was written."
			continue
		}
		writes = append(writes, sidecar.Job{Photo: j.path, Keywords: k})
		written = append(written, i)
	}
	for n, res := range sidecar.WriteAll(writes) {
		o, k := &out[written[n]], writes[n].Keywords
		switch {
		case res.Err != nil:
			o.err, o.note = true, res.Err.Error()
		case !res.Change.Changed:
			o.note = "The keywords are already in " + filepath.Base(res.Change.Sidecar) + "."
		default:
			o.note = "Keywords written to " + filepath.Base(res.Change.Sidecar) + ": " + strings.Join(k.Subjects, ", ") + "."
		}
	}
	return out
}

// removeKeywords takes Spotter's keywords out of the sidecars of the
// selected photo, or of every row shown, off the UI thread.
func (w *Window) removeKeywords(all bool) {
	photos, ok := w.targets(all)
	if !ok {
		return
	}
	w.status.say("Removing Spotter's keywords…")
	w.chores.Add("removing keywords", func(context.Context) func() {
		var paths []string
		err := photos(func(p photo) error {
			paths = append(paths, p.path)
			return nil
		})
		out := make([]tagOutcome, len(paths))
		for i, res := range sidecar.RemoveAll(paths) {
			o, c := &out[i], res.Change
			o.path = paths[i]
			switch {
			case res.Err != nil:
				o.err, o.note = true, res.Err.Error()
			case c.Delete:
				o.note = "Spotter's keywords removed; " + filepath.Base(c.Sidecar) + " held nothing else and was deleted."
			case c.Changed:
				o.note = "Spotter's keywords removed from " + filepath.Base(c.Sidecar) + "; the rest of it is kept."
			default:
				o.note = "There were no Spotter keywords to remove."
			}
		}
		return func() {
			if err != nil {
				w.showNotice(err.Error())
			}
			w.tagged(out, 0, "removed")
		}
	})
}

// tagged shows each photo's outcome in its rows and sums them up.
func (w *Window) tagged(out []tagOutcome, unsure int, verb string) {
	rows := map[string][]*row{}
	for _, r := range w.table.byID {
		rows[r.path] = append(rows[r.path], r)
	}
	bad := 0
	for _, o := range out {
		if o.err {
			bad++
		}
		for _, r := range rows[o.path] {
			r.tagNote, r.tagErr = o.note, o.err
			w.refreshRow(r)
		}
	}
	s := fmt.Sprintf("Keywords %s for %s.", verb, photos(len(out)-bad))
	if bad > 0 {
		s += fmt.Sprintf(" %d could not be: see their rows.", bad)
	}
	if unsure > 0 {
		s += fmt.Sprintf(" %d not sure, left without keywords.", unsure)
	}
	w.status.say(s)
}
