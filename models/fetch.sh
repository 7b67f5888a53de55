#!/usr/bin/env bash
# Puts the default model set's files into models/ (git-ignored): the
# classifier, the object detector and the face detector, each from the first
# of: a copy already there, $SPOTTER_MODEL_DIR/<name>, or ../shared. Without
# a local copy of the classifier it downloads the ONNX Model Zoo's
# MobileNetV2-12 instead (needs internet); the detectors have no download.
set -euo pipefail
cd "$(dirname "$0")"

declare -A files=(
  [mobilenet_v2_1.0_224_quant]="model.qdq.onnx model.f32.onnx labels.txt LICENSE"
  [yolox_nano_coco]="yolox_nano.onnx labels.txt LICENSE"
  [yunet_s_face]="yunet_s_dynamic.onnx LICENSE"
)
declare -A sha=(
  [mobilenet_v2_1.0_224_quant/model.qdq.onnx]=5ff74244cd603041209fa709121ff8bdd61651d0adb0ae591967387207f2235d
  [mobilenet_v2_1.0_224_quant/model.f32.onnx]=714e994119977fb403268684f5d186529fe98381cc4da990904d6499e61faae2
  [mobilenet_v2_1.0_224_quant/labels.txt]=4eb3da435cf544e4a6f390f62c84cb9c9bb68cf8b14e97f8a063452382e5efd2
  [yolox_nano_coco/yolox_nano.onnx]=e8af074932d4ed7e232278e3055cefcdea3edf178874a3694ae292649fb464dd
  [yolox_nano_coco/labels.txt]=bd17f1ee35d5f3c862a4894605855abbb9dda4b0621fdb0ac4c2c8c7bb7e730a
  [yunet_s_face/yunet_s_dynamic.onnx]=daede24002cc8590f457998cc5e6c9e8b82f45f6bd969506a8913cd4ed10a2d3
  [yunet_s_face/LICENSE]=d096f0e4f790316e1df89675682a51c68ca64745a611689ccd37bd246835440e
)

have_all() { # folder, model name
  for f in ${files[$2]}; do [ -f "$1/$f" ] || return 1; done
}

missing=()
for name in "${!files[@]}"; do
  have_all "$name" "$name" && continue
  src=""
  if [ -n "${SPOTTER_MODEL_DIR:-}" ] && have_all "$SPOTTER_MODEL_DIR/$name" "$name"; then
    src=$SPOTTER_MODEL_DIR/$name
  elif [ -n "${SHARED:-}" ] && have_all "$SHARED/models/$name" "$name"; then
    src=$SHARED/models/$name
  fi
  if [ -z "$src" ]; then
    missing+=("$name")
    continue
  fi
  mkdir -p "$name.part"
  for f in ${files[$name]}; do cp "$src/$f" "$name.part/$f"; done
  (cd "$name.part" && for k in "${!sha[@]}"; do
     if [ "${k%%/*}" = "$name" ]; then echo "${sha[$k]}  ${k#*/}"; fi; done | sha256sum -c --quiet)
  rm -rf "$name" && mv "$name.part" "$name"
  echo "model: copied $name from $src"
done

for name in "${missing[@]}"; do
  case $name in
  mobilenet_v2_1.0_224_quant) ;;
  *) echo "model: $name was not found in \$SPOTTER_MODEL_DIR or ../shared/models; Spotter runs without it (no objects or faces)" >&2 ;;
  esac
done

# No local copy of the classifier: download the ONNX Model Zoo's MobileNetV2-12 instead.
if [[ " ${missing[*]} " == *" mobilenet_v2_1.0_224_quant "* ]]; then
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
fi
