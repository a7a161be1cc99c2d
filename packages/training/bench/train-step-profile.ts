/**
 * Where a training step's time goes: one TransUNet step (forward, CE + Dice loss, backward, PyTorch Adam)
 * of LeViT-UNet at batch B, 224×224, profiled with tf.profile after a warm-up step; kernel time summed
 * per kernel name, plus the share of the step spent outside kernels (JS, tape bookkeeping).
 * `--shapes N` also lists the N most expensive (kernel, input shapes → output shapes) pairs.
 * `pnpm --filter @levit-unet/training bench:profile [-- --variant 128s --batch 8 --threads 2 --top 15 --shapes 20]`
 */
import * as tf from '@tensorflow/tfjs-core';
import { createLeViTUNet, type LeViTUNetVariant } from '@levit-unet/levit-unet';
import { initBackend } from '@levit-unet/levit-unet/node';
import { TorchAdam, trainableVariables, trainStep } from '../src/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const variant = arg('variant', '128s') as LeViTUNetVariant;
const batchSize = Number(arg('batch', '8'));
const top = Number(arg('top', '15'));
const topShapes = Number(arg('shapes', '0'));
const threads = arg('threads', '');
const info = await initBackend(arg('backend', 'wasm'), threads ? { threads: Number(threads) } : {});
const size = 224;
const model = createLeViTUNet({ variant, numClasses: 9 });
const optimizer = new TorchAdam(trainableVariables(model), { weightDecay: 1e-4 });
let seed = 1;
const uniform = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const batch = {
  images: Float32Array.from({ length: batchSize * size * size }, uniform),
  labels: Int32Array.from({ length: batchSize * size * size }, () => Math.floor(uniform() * 9)),
  labelShape: [batchSize, size, size] as const,
};
const step = () => trainStep(model, optimizer, batch, { lr: 1e-5, numClasses: 9 });

let t0 = performance.now();
step();
const warmupSeconds = (performance.now() - t0) / 1000;
t0 = performance.now();
const profile = await tf.profile(() => {
  step();
});
const stepMs = performance.now() - t0;
const byKernel = new Map<string, { ms: number; calls: number }>();
const byShape = new Map<string, { ms: number; calls: number }>();
for (const kernel of profile.kernels) {
  // A customGrad op is recorded as an 'unnamed scope' whose time includes the kernels it ran: not counted twice.
  if (kernel.name === 'unnamed scope') continue;
  const time = await kernel.kernelTimeMs;
  if (typeof time !== 'number') throw new Error(`${kernel.name}: ${time.error}`);
  for (const [table, key] of [
    [byKernel, kernel.name],
    [byShape, `${kernel.name} ${JSON.stringify(kernel.inputShapes)} → ${JSON.stringify(kernel.outputShapes)}`],
  ] as const) {
    const entry = table.get(key) ?? { ms: 0, calls: 0 };
    entry.ms += time;
    entry.calls += 1;
    table.set(key, entry);
  }
}
const kernelMs = [...byKernel.values()].reduce((a, b) => a + b.ms, 0);
const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
console.log(`LeViT-UNet-${variant}, batch ${batchSize}, ${size}×${size}, ${info.backend}${info.threads ? ` (${info.threads} threads)` : ''}`);
console.log(`warm-up step ${warmupSeconds.toFixed(1)} s; profiled step ${(stepMs / 1000).toFixed(1)} s (profiling adds little on synchronous backends), ${(kernelMs / 1000).toFixed(1)} s in kernels, peak ${(profile.peakBytes / 2 ** 20).toFixed(0)} MiB of tensors`);
console.log('| kernel | calls | seconds | share |\n|---|---|---|---|');
for (const [name, { ms, calls }] of rows.slice(0, top)) console.log(`| ${name} | ${calls} | ${(ms / 1000).toFixed(2)} | ${((100 * ms) / stepMs).toFixed(1)} % |`);
const rest = rows.slice(top).reduce((a, [, v]) => a + v.ms, 0);
console.log(`| ${rows.length - top > 0 ? `${rows.length - top} other kernels` : 'other kernels'} | | ${(rest / 1000).toFixed(2)} | ${((100 * rest) / stepMs).toFixed(1)} % |`);
if (kernelMs <= stepMs) console.log(`| outside kernels | | ${((stepMs - kernelMs) / 1000).toFixed(2)} | ${((100 * (stepMs - kernelMs)) / stepMs).toFixed(1)} % |`);
// levit-blocks' wasm Conv2DBackpropInput/Filter kernels run Conv2D (and Reverse, Transpose, …) inside
// themselves, and tf.profile times both levels: shares are of the step and can add up to more than 100 %.
else console.log('(kernels run inside other kernels — the wasm gradient kernels call Conv2D — are counted at both levels)');
if (topShapes > 0) {
  console.log('\n| kernel, input shapes → output shapes | calls | seconds |\n|---|---|---|');
  for (const [key, { ms, calls }] of [...byShape.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, topShapes)) {
    console.log(`| ${key} | ${calls} | ${(ms / 1000).toFixed(2)} |`);
  }
}
optimizer.dispose();
model.dispose();
