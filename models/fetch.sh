#!/usr/bin/env bash
# Puts the default model's files into models/ (git-ignored), from the first
# of: a copy already there, $SPOTTER_MODEL_DIR, ../shared, or a download of
# the ONNX Model Zoo's MobileNetV2-12 (needs internet).
set -euo pipefail
cd "$(dirname "$0")"

name=mobilenet_v2_1.0_224_quant
files=(model.qdq.onnx model.f32.onnx labels.txt LICENSE)
declare -A sha=(
  [model.qdq.onnx]=5ff74244cd603041209fa709121ff8bdd61651d0adb0ae591967387207f2235d
  [model.f32.onnx]=714e994119977fb403268684f5d186529fe98381cc4da990904d6499e61faae2
  [labels.txt]=4eb3da435cf544e4a6f390f62c84cb9c9bb68cf8b14e97f8a063452382e5efd2
)

have_all() {
  for f in "${files[@]}"; do [ -f "$1/$f" ] || return 1; done
}

if have_all "$name"; then
  exit 0
fi

src=""
if [ -n "${SPOTTER_MODEL_DIR:-}" ]; then
  have_all "$SPOTTER_MODEL_DIR" || { echo "SPOTTER_MODEL_DIR=$SPOTTER_MODEL_DIR lacks one of: ${files[*]}" >&2; exit 1; }
  src=$SPOTTER_MODEL_DIR
elif [ -n "${SHARED:-}" ] && have_all "$SHARED/models/$name"; then
  src=$SHARED/models/$name
fi

if [ -n "$src" ]; then
  mkdir -p "$name.part"
  for f in "${files[@]}"; do cp "$src/$f" "$name.part/$f"; done
  (cd "$name.part" && for f in "${!sha[@]}"; do echo "${sha[$f]}  $f"; done | sha256sum -c --quiet)
  rm -rf "$name" && mv "$name.part" "$name"
  echo "model: copied $name from $src"
  exit 0
fi

# No local copy: download the ONNX Model Zoo's MobileNetV2-12 instead.
zoo=mobilenetv2-12
if [ ! -f "$zoo/$zoo.onnx" ]; then
  mkdir -p "$zoo.part"
  curl -fL --retry 3 -o "$zoo.part/$zoo.onnx" \
    https://github.com/onnx/models/raw/main/validated/vision/classification/mobilenet/model/mobilenetv2-12.onnx
  curl -fL --retry 3 -o "$zoo.part/imagenet_classes.txt" \
    https://raw.githubusercontent.com/pytorch/hub/master/imagenet_classes.txt
  (cd "$zoo.part" && sha256sum -c --quiet <<SUMS
c0c3f76d93fa3fd6580652a45618618a220fced18babf65774ed169de0432ad5  $zoo.onnx
1f386e0d1cb6e28b9c2dac651c3dea6801e98ad1b41a14ce6bb1a093d72069f5  imagenet_classes.txt
SUMS
  )
  rm -rf "$zoo" && mv "$zoo.part" "$zoo"
  echo "model: downloaded $zoo"
fi
