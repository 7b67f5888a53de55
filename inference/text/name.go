package text

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/spotter-app/spotter/inference/fuse"
	"github.com/spotter-app/spotter/inference/prediction"
)

// rules holds every value the gate and the naming use, so tuning them on
// ../shared/everyday-dev happens in one place.
var rules = struct {
	// gate: the classifier's belief in classes of text (fuse.TextMass) a
	// photo needs to be read. On the dev set every page, receipt, sign and
	// screenshot had 0.42 or more, and every other photo 0.06 or less,
	// but for a street with a stop sign.
	gate float32
	// keep: lines Tesseract is less sure of than this are noise it took
	// for letters (a plaque's brick wall, a receipt's creases), and so are
	// lines below sure without a word in them ('. z "i').
	keep float32
	// sure: lines at least this sure count their words towards naming.
	sure float32
	// word: a run of at least this many letters counts as a word; shorter
	// ones are as often read into noise.
	word int
	// text: words a photo needs to be called "text".
	text int
	// document: words and sure lines a page needs to be called a document.
	documentWords, documentLines int
	// sign: the classifier's belief in "street sign" that names a sign,
	// read or not (a sign in a script the languages chosen do not read).
	sign float32
	// screenshot: a screenshot's pixels are mostly flat; a lossless file so
	// flat, or a compressed one that is also mostly dark (a terminal, a
	// dark theme: paper is light), is one.
	flat, dark float32
	// receipt: prices and a receipt's words.
	prices       int
	receiptWords map[string]bool
}{
	gate:          0.2,
	keep:          0.2,
	sure:          0.5,
	word:          3,
	text:          3,
	documentWords: 30,
	documentLines: 8,
	sign:          0.5,
	flat:          0.5,
	dark:          0.8,
	prices:        3,
	receiptWords: map[string]bool{
		"total": true, "subtotal": true, "tax": true, "cash": true, "change": true, "cashier": true, "receipt": true,
		"amount": true, "visa": true, "mastercard": true, "savings": true, "qty": true, "balance": true, "tip": true,
		"order": true, "vat": true,
	},
}

// Wanted reports whether res says its photo may hold text worth reading.
func Wanted(res prediction.Result) bool { return res.TextLikely >= rules.gate }

var price = regexp.MustCompile(`(^|[^0-9.,])[0-9]{1,5}[.,][0-9]{2}($|[^0-9])`)

// lossless are the formats a screenshot is saved in; TIFF is a scanner's.
var lossless = map[string]bool{"png": true, "bmp": true, "gif": true}

// Name keeps page's lines in res and adds what they make the photo to its
// keywords and title: "screenshot", "document", "receipt", "sign", "text".
func Name(res *prediction.Result, page Page) {
	res.Lines = nil
	for _, l := range page.Lines {
		if l.Confidence >= rules.sure || l.Confidence >= rules.keep && hasWord(l.Text) {
			res.Lines = append(res.Lines, l)
		}
	}
	words, sureLines, prices, receipt := 0, 0, 0, false
	var conf float32
	for _, l := range res.Lines {
		if l.Confidence < rules.sure {
			continue
		}
		sureLines++
		conf = max(conf, l.Confidence)
		for _, w := range strings.FieldsFunc(l.Text, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len([]rune(w)) >= rules.word {
				words++
				receipt = receipt || rules.receiptWords[strings.ToLower(w)]
			}
		}
		prices += len(price.FindAllString(l.Text, -1))
	}
	var kws []prediction.Keyword
	add := func(word, path string, c float32) {
		if !slices.ContainsFunc(res.Keywords, func(k prediction.Keyword) bool { return k.Word == word }) {
			kws = append(kws, prediction.Keyword{Word: word, Path: path, Source: "text", Confidence: c})
		}
	}
	hasText := words >= rules.text
	screen := hasText && page.Flat >= rules.flat && (lossless[page.Format] || page.Dark >= rules.dark)
	switch {
	case screen:
		add("screenshot", "text|screenshot", conf)
	case hasText && prices >= rules.prices && receipt:
		add("receipt", "text|document|receipt", conf)
		add("document", "text|document", conf)
	case words >= rules.documentWords && sureLines >= rules.documentLines:
		add("document", "text|document", conf)
	}
	if sign := streetSign(*res); sign >= rules.sign && !screen {
		add("sign", "text|sign", sign)
	}
	if hasText {
		add("text", "text", conf)
	}
	if len(kws) == 0 {
		return
	}
	res.Keywords = append(res.Keywords, kws...)
	res.Title = fuse.Title(res.People, res.Keywords)
}

// hasWord reports whether s holds a run of rules.word letters or digits.
func hasWord(s string) bool {
	return slices.ContainsFunc(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }),
		func(w string) bool { return len([]rune(w)) >= rules.word })
}

// streetSign is the classifier's belief in "street sign".
func streetSign(res prediction.Result) float32 {
	var sum float32
	for _, p := range res.Predictions {
		if p.Label == "street sign" {
			sum += p.Probability
		}
	}
	return sum
}
