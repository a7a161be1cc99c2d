/**
 * Inference speed of the three LeViT-UNet sizes: ms per image at batch 1 and 8 (224×224, 9 classes).
 * `pnpm --filter @levit-unet/levit-unet bench:inference [-- --backend wasm --variants 128s,192,384 --repeats 3]`
 * Prints one JSON line per (size, batch) and a table.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createLeViTUNet, type LeViTUNetVariant } from '../src/index.js';
import { initBackend } from '../src/node/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const { backend } = await initBackend(arg('backend', 'wasm'));
const variants = arg('variants', '128s,192,384').split(',') as LeViTUNetVariant[];
const batches = arg('batches', '1,8').split(',').map(Number);
const repeats = Number(arg('repeats', '3'));
const rows: Array<Record<string, unknown>> = [];
for (const variant of variants) {
  const model = createLeViTUNet({ variant, numClasses: 9 });
  for (const batch of batches) {
    const x = tf.randomUniform([batch, 224, 224, 1]);
    tf.dispose(model.predict(x)); // warm-up: kernel setup, weight packing
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      const y = model.predict(x) as tf.Tensor;
      await y.data();
      times.push(performance.now() - t0);
      y.dispose();
    }
    x.dispose();
    const best = Math.min(...times);
    const row = { variant, backend, batch, msPerImage: +(best / batch).toFixed(1), msPerBatchBest: +best.toFixed(0), msPerBatchAll: times.map((t) => +t.toFixed(0)) };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  model.dispose();
}
console.log('\n| size | batch | ms/image (best of ' + repeats + ') |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.variant} | ${r.batch} | ${r.msPerImage} |`);
