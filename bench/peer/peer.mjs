// The peer: what a developer would write instead of Spotter, in Node.js with
// onnxruntime-node and sharp (libvips), feeding the model exactly as
// Spotter's descriptor says (central 87.5 % of each side, bilinear resize
// to 224×224, RGB, (v − 128) / 128, NCHW). `make bench` runs it.
//
//   node peer.mjs photo MODEL.onnx LABELS RUNS FILE…   median ms per photo, one JSON line each
//   node peer.mjs folder MODEL.onnx LABELS FILE…       photos/s and peak RSS for all files
import fs from 'node:fs';
import ort from 'onnxruntime-node';
import sharp from 'sharp';

const [mode, modelPath, labelsPath, ...rest] = process.argv.slice(2);
const labels = fs.readFileSync(labelsPath, 'utf8').split('\n');
const size = 224;
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
});

// The peak resident memory of this program. Not resourceUsage().maxRSS:
// Linux carries that over from the process that started this one.
function peakRSSMB() {
  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return parseInt(line.split(/\s+/)[1], 10) / 1024;
}

async function prepare(file) {
  const image = sharp(file).rotate(); // EXIF orientation
  const meta = await image.metadata();
  let [w, h] = [meta.width, meta.height];
  if ((meta.orientation ?? 1) >= 5) [w, h] = [h, w];
  const cw = Math.round(w * 0.875), ch = Math.round(h * 0.875);
  const { data } = await image
    .extract({ left: Math.floor((w - cw) / 2), top: Math.floor((h - ch) / 2), width: cw, height: ch })
    .resize(size, size, { fit: 'fill', kernel: 'linear' })
    .flatten({ background: { r: 128, g: 128, b: 128 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const plane = size * size;
  const input = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) input[c * plane + i] = (data[3 * i + c] - 128) / 128;
  }
  return new ort.Tensor('float32', input, [1, 3, size, size]);
}

async function classify(tensor) {
  const out = await session.run({ input: tensor });
  const probs = out.probs.data;
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i;
  return { label: labels[best], probability: probs[best] };
}

if (mode === 'photo') {
  const [runs, ...files] = rest;
  for (const file of files) {
    const times = [];
    let top;
    for (let r = 0; r < Number(runs); r++) {
      const start = process.hrtime.bigint();
      top = await classify(await prepare(file));
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(JSON.stringify({ path: file, ms: times[times.length >> 1], ...top }));
  }
} else if (mode === 'folder') {
  const files = rest;
  const start = process.hrtime.bigint();
  // Prepare the next photo while the model runs the current one, as Spotter does.
  let next = prepare(files[0]);
  for (let i = 0; i < files.length; i++) {
    const tensor = await next;
    if (i + 1 < files.length) next = prepare(files[i + 1]);
    await classify(tensor);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({
    photos: files.length,
    photosPerSecond: files.length / seconds,
    peakRSSMB: peakRSSMB(),
  }));
} else {
  console.error('usage: node peer.mjs photo|folder MODEL LABELS …');
  process.exit(2);
}
