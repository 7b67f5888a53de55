package ui

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/inference/names"
)

// facetBar sums the photos up by keyword or category at a glance ("people
// 3 · dog 2 · not sure 31"); a click keeps one facet, "All" every photo.
type facetBar struct {
	box    *fyne.Container
	scroll *container.Scroll
	onPick func(category string)
	// shown are the facets on the bar, most photos first, "not sure" last;
	// Alt+1… picks them in this order.
	shown []string
}

func newFacetBar(onPick func(category string)) *facetBar {
	f := &facetBar{box: container.NewHBox(), onPick: onPick}
	f.scroll = container.NewHScroll(f.box)
	return f
}

// show lays out counts and the total of photos, with the facet kept (or
// "" for all) marked. A photo counts under each of its keywords, so the
// counts need not add up to the total.
func (f *facetBar) show(counts map[string]int, total int, kept string) {
	f.box.RemoveAll()
	f.shown = slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		if (a == names.NotSure) != (b == names.NotSure) {
			if a == names.NotSure {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	f.box.Add(f.button(fmt.Sprintf("All %d", total), "", kept))
	for _, c := range f.shown {
		f.box.Add(f.button(fmt.Sprintf("%s %d", c, counts[c]), c, kept))
	}
	if kept != "" && counts[kept] == 0 {
		f.box.Add(f.button(kept+" 0", kept, kept))
	}
	f.scroll.Show()
}

func (f *facetBar) button(text, category, kept string) *widget.Button {
	b := widget.NewButton(text, func() { f.onPick(category) })
	b.Importance = widget.LowImportance
	if category == kept {
		b.Importance = widget.HighImportance
	}
	return b
}

// pick keeps the n-th facet shown (1-based); 0 keeps every photo.
func (f *facetBar) pick(n int) {
	switch {
	case n == 0:
		f.onPick("")
	case n <= len(f.shown):
		f.onPick(f.shown[n-1])
	}
}
