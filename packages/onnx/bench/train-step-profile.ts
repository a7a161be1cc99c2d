/**
 * Where a training step's time goes on onnxruntime: runs LeViT-UNet steps with onnxruntime's profiler
 * and sums kernel time per op type (and the largest single nodes).
 *
 *   pnpm --filter @levit-unet/onnx bench:train-profile [-- --variant 128s --batch 8 --threads 2 --steps 2]
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { createLeViTUNet, type LeViTUNetVariant } from '@levit-unet/levit-unet';
import { createOnnxRuntimeTrainer } from '../src/node/index.js';

const { values } = parseArgs({
  options: {
    variant: { type: 'string', default: '128s' },
    batch: { type: 'string', default: '8' },
    threads: { type: 'string', default: '2' },
    steps: { type: 'string', default: '2' },
    /** Also list every node whose name contains this (e.g. one layer's gradient). */
    nodes: { type: 'string' },
  },
});
await tf.setBackend('cpu');
const batch = Number(values.batch);
const size = 224;
const dir = await mkdtemp(join(tmpdir(), 'ort-profile-'));
const model = createLeViTUNet({ variant: values.variant as LeViTUNetVariant, numClasses: 9 });
const trainer = await createOnnxRuntimeTrainer(model, { batchSize: batch, optimizer: { name: 'adam', weightDecay: 1e-4 }, threads: Number(values.threads), profilePrefix: join(dir, 'train') });
let s = 1;
const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const images = Float32Array.from({ length: batch * size * size }, random);
const labels = Int32Array.from({ length: batch * size * size }, () => Math.floor(random() * 9));
const steps = Number(values.steps);
const wall: number[] = [];
for (let k = 0; k < steps; k++) {
  const t0 = performance.now();
  await trainer.step({ images, labels, labelShape: [batch, size, size] }, 1e-5);
  wall.push((performance.now() - t0) / 1000);
}
await trainer.dispose();
const file = (await readdir(dir)).find((f) => f.endsWith('.json'))!;
const events = JSON.parse(await readFile(join(dir, file), 'utf8')) as Array<{ cat: string; name: string; dur: number; args?: { op_name?: string } }>;
await rm(dir, { recursive: true });
const byOp = new Map<string, number>();
const byNode = new Map<string, number>();
let total = 0;
for (const e of events) {
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
  const op = e.args?.op_name ?? '?';
  byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
  byNode.set(e.name, (byNode.get(e.name) ?? 0) + e.dur);
  total += e.dur;
}
const seconds = (us: number) => us / 1e6 / steps;
console.log(`LeViT-UNet-${values.variant}, batch ${batch}, ${values.threads} threads: step wall ${wall.map((w) => w.toFixed(2)).join(', ')} s; kernels ${seconds(total).toFixed(2)} s per step`);
console.log('| op type | s per step | share |\n|---|---|---|');
for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`| ${op} | ${seconds(us).toFixed(3)} | ${((100 * us) / total).toFixed(1)} % |`);
console.log('\nlargest nodes:');
for (const [name, us] of [...byNode].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${seconds(us).toFixed(3)} s  ${name.replace(/_kernel_time$/, '')}`);
if (values.nodes) {
  console.log(`\nnodes matching "${values.nodes}":`);
  for (const [name, us] of [...byNode].filter(([n]) => n.includes(values.nodes!)).sort((a, b) => b[1] - a[1])) console.log(`${seconds(us).toFixed(3)} s  ${name.replace(/_kernel_time$/, '')}`);
}
