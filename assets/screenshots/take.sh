#!/usr/bin/env bash
# Takes the README's screenshots from the real program under Xvfb, so they
# show what Spotter really looks like: empty, working, one photo, an error,
# a library in the grid and in the list, settings, the keyword review, the
# light theme, and 200 % scale; the boxes of what was found on the photo;
# the text read in a receipt.
# Run by `make screenshots`.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=assets/screenshots
shared=$(cd ../shared && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

gcc -O2 -o "$work/xdndsend" "$shared/tools/xdnd/xdndsend.c" -lX11
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 2600x1700x24 -nolisten tcp >/dev/null 2>&1 &
sleep 1
export DISPLAY=$display LANG=en_US.UTF-8

# A folder of photos to keep Spotter busy for a while.
mkdir -p "$work/album"
for i in $(seq -w 1 80); do
  for p in dog eagle giraffe horses kite person; do cp "$shared/photos/$p.jpg" "$work/album/$i-$p.jpg"; done
done
printf 'Shopping list: eggs, milk.\n' > "$work/notes.jpg"
# Three photos to review: a dog with a bicycle and a car, a bird, horses.
mkdir -p "$work/review"
for p in dog eagle horses; do cp "$shared/photos/$p.jpg" "$work/review/"; done

# start [env…]: runs a fresh Spotter with its own settings, catalogue and
# thumbnail cache, and waits for its window.
start() {
  env XDG_CONFIG_HOME="$(mktemp -d -p "$work")" XDG_DATA_HOME="$(mktemp -d -p "$work")" \
    XDG_CACHE_HOME="$(mktemp -d -p "$work")" "$@" ./bin/spotter >"$work/log" 2>&1 &
  pid=$!
  wid=$(xdotool search --sync --onlyvisible --name '^Spotter$' | head -1)
  until grep -q 'model loaded' "$work/log"; do sleep 0.1; done
  sleep 0.5
}
stop() { kill "$pid"; wait "$pid" || true; }
shot() { import -window "$wid" "$work/$1.png" && convert "$work/$1.png" -quality 85 "$out/$1.jpg"; }
drop() { "$work/xdndsend" "$wid" 300 300 "$@" >/dev/null; }
classified() { until [ "$(grep -c 'msg=classified' "$work/log")" -ge "$1" ]; do sleep 0.1; done; sleep 0.8; }

# The window at its default 1280×800: empty, one photo, the grid of a
# library with a photo selected, the list, settings, the light theme.
start; shot empty
drop "$shared/photos/person.jpg"; classified 1; shot result
drop "$shared/photos/kite.jpg"; classified 2; xdotool key --window "$wid" End; sleep 1.2; shot boxes
drop "$work/notes.jpg"; sleep 1; xdotool key --window "$wid" End; sleep 0.5; shot error
stop

start; drop "$work/album"; sleep 3; shot working
classified 480; xdotool key --window "$wid" Home Right Right Down; sleep 1.2; shot many
xdotool key --window "$wid" ctrl+1; sleep 0.8; shot list
xdotool key --window "$wid" ctrl+comma; sleep 1; shot settings
stop

# The review: the dog's "car" unchecked (rejected), its keywords written.
start; drop "$work/review"; classified 3
xdotool key --window "$wid" Home; sleep 0.6
xdotool mousemove --window "$wid" 1016 646 click 1; sleep 0.3
xdotool key --window "$wid" ctrl+k
until [ -f "$work/review/dog.jpg.xmp" ]; do sleep 0.1; done; sleep 0.6; shot review
stop

start FYNE_THEME=light; drop "$work/review"; classified 3; xdotool key --window "$wid" Right; sleep 1; shot light
stop

start FYNE_SCALE=2; drop "$shared/photos/eagle.jpg"; classified 1; shot scale200
stop

# A receipt: its words read, outlined, and shown with Copy text.
start; drop "$shared/everyday-dev/document-restaurant-receipt.jpg"; classified 1; shot text
stop
echo "screenshots written to $out"
