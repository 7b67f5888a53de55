#!/usr/bin/env bash
# Takes the README's screenshots from the real program under Xvfb, so they
# show what Spotter really looks like: empty, working, result, error, many
# photos, settings, the keyword review, and the result at 200 % scale. Run by
# `make screenshots`.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=assets/screenshots
shared=$(cd ../shared && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

gcc -O2 -o "$work/xdndsend" "$shared/tools/xdnd/xdndsend.c" -lX11
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 2200x1500x24 -nolisten tcp >/dev/null 2>&1 &
sleep 1
export DISPLAY=$display LANG=en_US.UTF-8

# A folder of photos to keep Spotter busy for a while.
mkdir -p "$work/album"
for i in $(seq -w 1 80); do
  for p in dog eagle giraffe horses kite person; do cp "$shared/photos/$p.jpg" "$work/album/$i-$p.jpg"; done
done
printf 'Shopping list: eggs, milk.\n' > "$work/notes.jpg"
# Three photos to review: a dog, a bird and one Spotter is not sure of.
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

start; shot empty
drop "$shared/photos/dog.jpg"; classified 1; shot result
drop "$work/notes.jpg"; sleep 1; xdotool mousemove --window "$wid" 250 190 click 1; sleep 0.5; shot error
stop

start; drop "$work/album"; sleep 3; xdotool mousemove --window "$wid" 250 190 click 1; sleep 0.6; shot working
classified 480; xdotool mousemove --window "$wid" 250 270 click 1; sleep 0.6; shot many
xdotool key --window "$wid" ctrl+comma; sleep 1; shot settings
stop

# The review: the dog's "animal" unchecked (rejected), its keywords written.
start; xdotool windowsize "$wid" 1000 1000; sleep 0.5
drop "$work/review"; classified 3
xdotool mousemove --window "$wid" 250 120 click 1; sleep 0.6
xdotool mousemove --window "$wid" 523 597 click 1; sleep 0.3
xdotool key --window "$wid" ctrl+k
until [ -f "$work/review/dog.jpg.xmp" ]; do sleep 0.1; done; sleep 0.6; shot review
stop

start FYNE_SCALE=2; drop "$shared/photos/eagle.jpg"; classified 1; shot scale200
stop
echo "screenshots written to $out"
