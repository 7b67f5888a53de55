// The peer: what a developer would write instead of Spotter, in Node.js with
// onnxruntime-node and sharp (libvips), running Spotter's model set on each
// photo from one decode, exactly as Spotter's descriptors and the models'
// READMEs say:
//
//   - MobileNetV2 classifier: central 87.5 % of each side, bilinear resize
//     to 224×224, RGB, (v − 128) / 128, NCHW;
//   - YOLOX-Nano objects: the photo fitted whole into 416×416 (antialiased
//     bilinear), at the top-left, padded with 114, BGR raw 0…255; the
//     [1, 3549, 85] grid decoded, score = objectness · p(class), kept from
//     0.2, then per-class NMS at IoU 0.45;
//   - YuNet-s faces: the same letterbox padded with 0, strides 8/16/32,
//     score √(cls · obj) ≥ 0.6, NMS at IoU 0.3; run only when a person of
//     score ≥ 0.25 was found, as Spotter does.
//
// `make bench` runs it through bench/compare:
//
//   node peer.mjs photo  MODELS RUNS FILE…  one JSON line per photo: its detections, faces,
//                                           top-1 class and the median ms of RUNS full passes
//   node peer.mjs folder MODELS FILE…       photos/s and peak RSS for all files
//
// MODELS is five paths: CLASSIFIER.onnx LABELS DETECTOR.onnx DETECTOR_LABELS FACES.onnx.
import fs from 'node:fs';
import ort from 'onnxruntime-node';
import sharp from 'sharp';

const [mode, classifierPath, labelsPath, detectorPath, detectorLabelsPath, facesPath, ...rest] = process.argv.slice(2);
if (!['photo', 'folder'].includes(mode) || rest.length === 0) {
  console.error('usage: node peer.mjs photo|folder CLASSIFIER LABELS DETECTOR DETECTOR_LABELS FACES [RUNS] FILE…');
  process.exit(2);
}

const readLabels = (path) => fs.readFileSync(path, 'utf8').trimEnd().split('\n');
const labels = readLabels(labelsPath);
const detectorLabels = readLabels(detectorLabelsPath);

const CROP = 224; // the classifier's input
const BOX = 416; // both detectors' input
const STRIDES = [8, 16, 32];
const OBJECT_MIN_SCORE = 0.2;
const OBJECT_NMS_IOU = 0.45;
const FACE_MIN_SCORE = 0.6;
const FACE_NMS_IOU = 0.3;
const FACES_FROM_PERSON = 0.25;

// Spotter's ONNX Runtime settings, so the comparison is of everything
// around the runs: two intra-op threads whose idle threads do not spin on
// the core the next photo is decoded on.
const sessionOptions = {
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
  extra: { session: { intra_op: { allow_spinning: '0' } } },
};
const [classifier, detector, faceDetector] = await Promise.all(
  [classifierPath, detectorPath, facesPath].map((p) => ort.InferenceSession.create(p, sessionOptions)),
);

// The peak resident memory of this program. Not resourceUsage().maxRSS:
// Linux carries that over from the process that started this one.
function peakRSSMB() {
  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return parseInt(line.split(/\s+/)[1], 10) / 1024;
}

const now = () => process.hrtime.bigint();
const msSince = (start) => Number(now() - start) / 1e6;

// decode reads the photo once, upright, as 8-bit RGB. Both inputs are made
// from these pixels, so libvips cannot shrink a JPEG while decoding it (it
// does that only inside one resize): a large photo is decoded whole. The
// embedded colour profile is ignored because Spotter feeds the stored
// values as they are; converting would compare different pixels.
async function decode(file) {
  const { data, info } = await sharp(file, { ignoreIcc: true })
    .rotate() // EXIF orientation
    .flatten({ background: { r: 128, g: 128, b: 128 } }) // transparency on Spotter's grey
    .toColourspace('srgb') // greyscale photos as three equal channels
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: decoded to ${info.channels} channels`);
  return { data, width: info.width, height: info.height };
}

// preprocess makes the classifier's tensor and the detector's letterbox
// from one decoded photo; the two resizes run at once on libvips' threads.
// The face detector's input is the same letterbox with other padding, made
// only if it is needed (see faceInput).
async function preprocess({ data, width, height }) {
  const raw = { raw: { width, height, channels: 3 } };
  const cw = Math.round(width * 0.875), ch = Math.round(height * 0.875);
  const [crop, box] = await Promise.all([
    sharp(data, raw)
      .extract({ left: Math.floor((width - cw) / 2), top: Math.floor((height - ch) / 2), width: cw, height: ch })
      .resize(CROP, CROP, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer(),
    sharp(data, raw)
      .resize(BOX, BOX, { fit: 'inside', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true }),
  ]);
  const plane = CROP * CROP;
  const input = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) input[c * plane + i] = (crop[3 * i + c] - 128) / 128;
  }
  const letterbox = { pixels: box.data, width: box.info.width, height: box.info.height };
  return {
    classifierInput: new ort.Tensor('float32', input, [1, 3, CROP, CROP]),
    letterbox,
    detectorInput: letterboxTensor(letterbox, 114),
    // The README's scale: boxes map back to the upright photo by it,
    // whatever whole-pixel size the resize rounded to.
    scale: Math.min(BOX / width, BOX / height),
    width,
    height,
  };
}

// letterboxTensor lays the resized photo at the top-left of a 416×416 BGR
// NCHW tensor of raw 0…255 values, the rest pad.
function letterboxTensor({ pixels, width, height }, pad) {
  const plane = BOX * BOX;
  const t = new Float32Array(3 * plane).fill(pad);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = 3 * (y * width + x), dst = y * BOX + x;
      t[dst] = pixels[src + 2];
      t[plane + dst] = pixels[src + 1];
      t[2 * plane + dst] = pixels[src];
    }
  }
  return new ort.Tensor('float32', t, [1, 3, BOX, BOX]);
}

function iou(a, b) {
  const ix = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const iy = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (ix <= 0 || iy <= 0) return 0;
  const area = (r) => Math.max(r[2] - r[0], 0) * Math.max(r[3] - r[1], 0);
  const inter = ix * iy;
  return inter / (area(a) + area(b) - inter);
}

// nms keeps the best of each group of boxes overlapping by more than
// maxIoU; same(a, b) says which boxes compete (same class for objects).
function nms(found, maxIoU, same) {
  found.sort((a, b) => b.score - a.score);
  const kept = [];
  for (const f of found) {
    if (!kept.some((k) => same(k, f) && iou(k.box, f.box) > maxIoU)) kept.push(f);
  }
  return kept;
}

// toPhoto maps a box in the input back to the upright photo, clipped to it.
function toPhoto(cx, cy, w, h, p) {
  const clip = (v, hi) => Math.min(Math.max(v / p.scale, 0), hi);
  return [clip(cx - w / 2, p.width), clip(cy - h / 2, p.height), clip(cx + w / 2, p.width), clip(cy + h / 2, p.height)];
}

const boxArea = (b) => (b[2] - b[0]) * (b[3] - b[1]);

// decodeYOLOX reads YOLOX's [1, 3549, 85] rows: per cell, finest stride
// first, tx ty tw th, objectness and 80 class scores (the last two through
// a sigmoid already).
function decodeYOLOX(out, p) {
  const classes = detectorLabels.length;
  const row = 5 + classes;
  const found = [];
  let cell = 0;
  for (const s of STRIDES) {
    const g = BOX / s;
    for (let gy = 0; gy < g; gy++) {
      for (let gx = 0; gx < g; gx++, cell++) {
        const r = cell * row;
        const obj = out[r + 4];
        if (obj < OBJECT_MIN_SCORE) continue; // score = obj · p ≤ obj
        let best = 0;
        for (let c = 1; c < classes; c++) if (out[r + 5 + c] > out[r + 5 + best]) best = c;
        const score = obj * out[r + 5 + best];
        if (!(score >= OBJECT_MIN_SCORE)) continue;
        const box = toPhoto((out[r] + gx) * s, (out[r + 1] + gy) * s, Math.exp(out[r + 2]) * s, Math.exp(out[r + 3]) * s, p);
        if (boxArea(box) > 0) found.push({ label: detectorLabels[best], score, box });
      }
    }
  }
  return nms(found, OBJECT_NMS_IOU, (a, b) => a.label === b.label);
}

// decodeYuNet reads YuNet's cls, obj, bbox and kps outputs of each stride,
// cells row by row.
function decodeYuNet(outs, p) {
  const found = [];
  const clamp01 = (v) => Math.min(Math.max(v, 0), 1);
  for (const s of STRIDES) {
    const cls = outs[`cls_${s}`].data, obj = outs[`obj_${s}`].data;
    const bbox = outs[`bbox_${s}`].data, kps = outs[`kps_${s}`].data;
    const cols = BOX / s;
    for (let i = 0; i < cls.length; i++) {
      const score = Math.sqrt(clamp01(cls[i]) * clamp01(obj[i]));
      if (!(score >= FACE_MIN_SCORE)) continue;
      const c = i % cols, r = Math.floor(i / cols);
      const box = toPhoto((c + bbox[4 * i]) * s, (r + bbox[4 * i + 1]) * s, Math.exp(bbox[4 * i + 2]) * s, Math.exp(bbox[4 * i + 3]) * s, p);
      if (boxArea(box) <= 0) continue;
      const landmarks = [];
      for (let n = 0; n < 5; n++) {
        landmarks.push([((kps[10 * i + 2 * n] + c) * s) / p.scale, ((kps[10 * i + 2 * n + 1] + r) * s) / p.scale]);
      }
      found.push({ score, box, landmarks });
    }
  }
  return nms(found, FACE_NMS_IOU, () => true);
}

// infer runs the model set on one prepared photo.
async function infer(p) {
  const [probs, det] = await Promise.all([
    classifier.run({ input: p.classifierInput }),
    detector.run({ images: p.detectorInput }),
  ]);
  const scores = probs.probs.data;
  let top = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[top]) top = i;
  const objects = decodeYOLOX(det.output.data, p);
  let faces = [];
  if (objects.some((o) => o.label === 'person' && o.score >= FACES_FROM_PERSON)) {
    faces = decodeYuNet(await faceDetector.run({ input: letterboxTensor(p.letterbox, 0) }), p);
  }
  return { label: labels[top], probability: scores[top], objects, faces };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

if (mode === 'photo') {
  const [runs, ...files] = rest;
  for (const file of files) {
    const t = { ms: [], decodeMS: [], preprocessMS: [], inferenceMS: [] };
    let answer;
    for (let r = 0; r < Number(runs); r++) {
      const start = now();
      const decoded = await decode(file);
      t.decodeMS.push(msSince(start));
      const mid = now();
      const prepared = await preprocess(decoded);
      t.preprocessMS.push(msSince(mid));
      const run = now();
      answer = await infer(prepared);
      t.inferenceMS.push(msSince(run));
      t.ms.push(msSince(start));
    }
    const timing = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]));
    console.log(JSON.stringify({ path: file, ...timing, ...answer }));
  }
} else {
  const files = rest;
  const prepare = async (file) => preprocess(await decode(file));
  const start = now();
  // Prepare the next photo while the models run on this one, as Spotter does.
  let next = prepare(files[0]);
  for (let i = 0; i < files.length; i++) {
    const prepared = await next;
    if (i + 1 < files.length) next = prepare(files[i + 1]);
    await infer(prepared);
  }
  const seconds = Number(now() - start) / 1e9;
  console.log(JSON.stringify({
    photos: files.length,
    photosPerSecond: files.length / seconds,
    peakRSSMB: peakRSSMB(),
  }));
}
