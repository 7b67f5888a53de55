package ui

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/text"
	"github.com/spotter-app/spotter/settings"
)

const automatic = "Automatic"

func (w *Window) prefs() fyne.Preferences { return fyne.CurrentApp().Preferences() }

// threshold is the confidence an everyday name needs to be stated.
func (w *Window) threshold() float32 { return settings.Threshold(w.prefs()) }

// predictions is how many ranked answers the viewer lists.
func (w *Window) predictions() int { return settings.Predictions(w.prefs()) }

// current is the settings in use.
func (w *Window) current() settings.Values { return settings.Read(w.prefs()) }

func (w *Window) showSettings() {
	d := newSettingsDialog(w.win, w.current(), w.applySettings)
	d.Resize(fyne.NewSize(520, 0).Max(d.MinSize()))
	d.Show()
}

// thresholds are the choices the settings offer, in percent.
func thresholds() []string {
	var out []string
	for p := 10; p <= 95; p += 5 {
		out = append(out, fmt.Sprintf("%d %%", p))
	}
	return out
}

// newSettingsDialog offers the settings, starting from current; apply
// gets the person's choice when they save.
func newSettingsDialog(parent fyne.Window, current settings.Values, apply func(settings.Values)) dialog.Dialog {
	models := model.Available()
	modelNames := []string{automatic}
	for _, d := range models {
		modelNames = append(modelNames, modelName(d))
	}
	modelSel := widget.NewSelect(modelNames, nil)
	modelSel.SetSelected(automatic)
	for i, d := range models {
		if d.Path == current.Model {
			modelSel.SetSelected(modelNames[i+1])
		}
	}

	var counts []string
	for i := 1; i <= settings.MaxPredictions; i++ {
		counts = append(counts, strconv.Itoa(i))
	}
	countSel := widget.NewSelect(counts, nil)
	countSel.SetSelected(strconv.Itoa(current.Predictions))

	threadNames := []string{automatic}
	for i := 1; i <= runtime.NumCPU(); i++ {
		threadNames = append(threadNames, strconv.Itoa(i))
	}
	threadSel := widget.NewSelect(threadNames, nil)
	threadSel.SetSelected(automatic)
	if n := current.Threads; n > 0 && n <= runtime.NumCPU() {
		threadSel.SetSelected(strconv.Itoa(n))
	}

	sureSel := widget.NewSelect(thresholds(), nil)
	sureSel.SetSelected(fmt.Sprintf("%.0f %%", 100*current.Threshold))

	textCheck, langs := textChoices(current)
	// In the hints' style but wrapped, as a hint is not: on one line it
	// made the dialog twice as wide.
	textNote := widget.NewRichText(&widget.TextSegment{
		Text:  "Reads words in screenshots, documents, receipts and signs, so search finds them. Adds time only to photos that look like text.",
		Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameCaptionText}})
	textNote.Wrapping = fyne.TextWrapWord

	themeNote := widget.NewLabel("Light or dark follows your system's setting.")
	themeNote.Importance = widget.LowImportance
	items := []*widget.FormItem{
		widget.NewFormItem("Model", modelSel),
		widget.NewFormItem("Predictions shown", countSel),
		widget.NewFormItem("Sure from", sureSel),
		widget.NewFormItem("Threads", threadSel),
		widget.NewFormItem("Text", container.NewVBox(textCheck, textNote)),
		widget.NewFormItem("Languages", langs.box),
		widget.NewFormItem("Theme", themeNote),
	}
	items[0].HintText = "Models found in Spotter's models folders"
	items[2].HintText = "For the classifier alone (no detectors beside it): below this confidence a photo is \"not sure\" and gets no keywords"
	items[3].HintText = "For ONNX Runtime; Automatic was fastest where measured"
	items[5].HintText = langs.hint
	return dialog.NewForm("Settings", "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		var s settings.Values
		if i := slices.Index(modelNames, modelSel.Selected); i > 0 {
			s.Model = models[i-1].Path
		}
		s.Threads, _ = strconv.Atoi(threadSel.Selected) // Automatic → 0
		s.Predictions, _ = strconv.Atoi(countSel.Selected)
		s.Threshold = current.Threshold // kept when it is none of the choices offered
		if pct, err := strconv.Atoi(strings.TrimSuffix(sureSel.Selected, " %")); err == nil {
			s.Threshold = float32(pct) / 100
		}
		s.Text, s.Languages = textCheck.Checked, langs.chosen()
		apply(s)
	}, parent)
}

// applySettings saves the settings; a new model or thread count reloads
// the classifier, a new number of predictions or threshold redraws the
// rows and the viewer.
func (w *Window) applySettings(s settings.Values) {
	old := w.current()
	settings.Write(w.prefs(), s)
	if t := w.threshold(); t != w.table.threshold {
		w.table.threshold = t
		w.reshow()
		w.recount()
	}
	if r := w.table.byID[w.selected]; r != nil {
		w.showDetail(r)
	}
	if old.Model != s.Model || old.Threads != s.Threads || old.Text != s.Text || !slices.Equal(old.Languages, s.Languages) {
		w.reload()
		if w.folders != nil {
			w.folders.Changed() // the indexer's engine too
		}
	}
}

// languageNames are the names of the languages a person is likeliest to
// have installed; Settings shows any other by Tesseract's code.
var languageNames = map[string]string{
	"eng": "English", "deu": "German", "fra": "French", "spa": "Spanish", "ita": "Italian",
	"por": "Portuguese", "nld": "Dutch", "swe": "Swedish", "dan": "Danish", "nor": "Norwegian",
	"fin": "Finnish", "pol": "Polish", "ces": "Czech", "hun": "Hungarian", "ron": "Romanian",
	"tur": "Turkish", "ell": "Greek", "rus": "Russian", "ukr": "Ukrainian", "ara": "Arabic",
	"heb": "Hebrew", "hin": "Hindi", "jpn": "Japanese", "kor": "Korean",
	"chi_sim": "Chinese (simplified)", "chi_tra": "Chinese (traditional)",
}

// languageRows is how many languages are in view at once in Settings.
const languageRows = 4

// languageChoice is the languages Settings offers: those installed, and any
// chosen before that is no longer, so that it is seen and can be unchecked
// rather than dropped unsaid.
type languageChoice struct {
	codes []string
	group *widget.CheckGroup
	box   fyne.CanvasObject // the group, or what to install when there is nothing to choose
	hint  string
}

// textChoices are the "read text" check and the languages to read, the
// languages offered only while text is read.
func textChoices(current settings.Values) (*widget.Check, *languageChoice) {
	installed := text.Installed()
	codes := slices.Clone(installed)
	for _, l := range current.Languages {
		if !slices.Contains(codes, l) {
			codes = append(codes, l)
		}
	}
	c := &languageChoice{codes: codes, group: widget.NewCheckGroup(nil, nil)}
	for _, code := range codes {
		c.group.Append(cmp.Or(languageNames[code], code))
		if slices.Contains(current.Languages, code) {
			c.group.Selected = append(c.group.Selected, c.group.Options[len(c.group.Options)-1])
		}
	}
	c.box, c.hint = c.group, "English when none is chosen; more with your system's packages (tesseract-ocr-deu for German)"
	// A system with every language installed offers over a hundred: they
	// scroll, a few rows high, rather than push Save off the screen.
	if len(codes) > languageRows {
		scroll := container.NewVScroll(c.group)
		scroll.SetMinSize(fyne.NewSize(0, c.group.MinSize().Height*languageRows/float32(len(codes))))
		c.box = scroll
	}
	if len(installed) == 0 {
		note := widget.NewLabel(text.NoLanguage)
		note.Wrapping = fyne.TextWrapWord
		note.Importance = widget.WarningImportance
		c.box, c.hint = note, ""
	}
	check := widget.NewCheck("Read text in photos", func(on bool) {
		if on {
			c.group.Enable()
		} else {
			c.group.Disable()
		}
	})
	check.SetChecked(current.Text)
	if !current.Text {
		c.group.Disable() // SetChecked calls back only on a change
	}
	return check, c
}

// chosen is the codes of the languages checked, in the order offered,
// or English, which the engine reads when none is asked for.
func (c *languageChoice) chosen() []string {
	var out []string
	for i, name := range c.group.Options {
		if slices.Contains(c.group.Selected, name) {
			out = append(out, c.codes[i])
		}
	}
	if len(out) == 0 {
		return []string{text.DefaultLanguage}
	}
	return out
}

// reload opens the classifier again with the new settings, with the
// indicator running until it is loaded.
func (w *Window) reload() {
	w.loading = true
	w.update()
	w.worker.Reload()
}

func modelName(d *model.Descriptor) string {
	name := d.Name
	if name == "" {
		name = d.Path
	}
	return fmt.Sprintf("%s — %d×%d", name, d.Input.Width, d.Input.Height)
}

// chooseModel is offered when no model loads: a person picks a descriptor
// (or an .onnx with one beside it), and Spotter remembers it.
func (w *Window) chooseModel() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close()
		path, err := model.Find(r.URI().Path())
		if err != nil {
			w.showNotice(err.Error())
			return
		}
		s := w.current()
		s.Model = path
		w.applySettings(s)
	}, w.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json", ".onnx"}))
	d.SetTitleText("Choose a model: its descriptor (.json), or an .onnx with one beside it")
	w.showDialog(d)
}

// chooseLibrary is offered when ONNX Runtime cannot be loaded.
func (w *Window) chooseLibrary() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close()
		w.prefs().SetString(settings.KeyLibrary, r.URI().Path())
		w.reload()
	}, w.win)
	d.SetTitleText("Choose the ONNX Runtime library (libonnxruntime.so)")
	w.showDialog(d)
}

func (w *Window) showAbout() {
	meta := fyne.CurrentApp().Metadata()
	lines := []string{
		fmt.Sprintf("Spotter %s", meta.Version),
		"Tells what is in your photos, on your own computer, offline.",
		"",
		"Fyne " + moduleVersion("fyne.io/fyne/v2"),
	}
	info := w.engineInfo
	if info.Runtime != "" {
		lines = append(lines, "ONNX Runtime "+info.Runtime)
	} else {
		lines = append(lines, "ONNX Runtime: not loaded")
	}
	for _, l := range info.Licences {
		lines = append(lines, "Model: "+l.Model)
	}
	text := widget.NewLabel(strings.Join(lines, "\n"))
	content := container.NewVBox(text)
	// Each model's licence, one after another in one box: the models come
	// from different authors under their own terms.
	var licences []string
	for _, l := range info.Licences {
		if l.Path == "" {
			continue
		}
		if licence, err := os.ReadFile(l.Path); err == nil {
			licences = append(licences, l.Model+"\n\n"+string(licence))
		}
	}
	if len(licences) > 0 {
		entry := widget.NewMultiLineEntry()
		entry.SetText(strings.Join(licences, "\n\n————————\n\n"))
		entry.Wrapping = fyne.TextWrapWord
		entry.SetMinRowsVisible(8)
		content.Add(widget.NewLabelWithStyle("The models' licences", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		content.Add(entry)
	}
	// The Windows package lists its libraries and their licences beside
	// the program (assets/windows/licenses); Linux packages carry theirs
	// through the system's packages.
	if exe, err := os.Executable(); err == nil {
		if index, err := os.ReadFile(filepath.Join(filepath.Dir(exe), "licenses", "README.txt")); err == nil {
			entry := widget.NewMultiLineEntry()
			entry.SetText(strings.ReplaceAll(string(index), "\r\n", "\n"))
			entry.TextStyle = fyne.TextStyle{Monospace: true}
			entry.SetMinRowsVisible(8)
			content.Add(widget.NewLabelWithStyle("The libraries' licences (in the licenses folder)", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
			content.Add(entry)
		}
	}
	d := dialog.NewCustom("About Spotter", "Close", content, w.win)
	d.Resize(fyne.NewSize(600, 0).Max(d.MinSize()))
	d.Show()
}

// moduleVersion is a dependency's version as built into the program.
func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == path {
				return m.Version
			}
		}
	}
	return "(unknown version)"
}
