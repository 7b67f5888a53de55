package main
import (
 _ "fyne.io/fyne/v2/app"
 _ "fyne.io/fyne/v2/test"
 _ "fyne.io/fyne/v2/widget"
 _ "fyne.io/fyne/v2/dialog"
 _ "github.com/yalue/onnxruntime_go"
 _ "github.com/nfnt/resize"
 _ "golang.org/x/image/webp"
 _ "golang.org/x/image/bmp"
 _ "golang.org/x/image/tiff"
 _ "go.uber.org/goleak"
)
func main(){}
