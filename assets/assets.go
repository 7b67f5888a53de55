// Package assets bundles Spotter's icon into the binary.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon (drawn in icon.svg, rendered to PNG).
var Icon = fyne.NewStaticResource("icon.png", iconPNG)
