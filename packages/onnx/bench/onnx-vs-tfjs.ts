/**
 * Inference speed of our ONNX export in onnxruntime-node against our tfjs model on the wasm backend:
 * ms per 224×224 image at batch 1 and 8, median of `--repeats` runs after one warm-up run, per size.
 * `pnpm --filter @levit-unet/onnx bench [-- --variants 128s,192,384 --repeats 5 --engines onnxruntime,tfjs --layouts nchw,nhwc --threads N]`
 * Prints one JSON row per (size, engine) and a table. `--layouts nchw,nhwc` adds rows for an NHWC export
 * (transposes inside the graph instead of the engine's NCHW → NHWC copy in JS).
 */
import { availableParallelism, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { createLeViTUNet, type LeViTUNetVariant } from '@levit-unet/levit-unet';
import { initBackend } from '@levit-unet/levit-unet/node';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { exportOnnx } from '../src/index.js';
import { createOnnxRuntimeEngine } from '../src/node/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const variants = arg('variants', '128s,192,384').split(',') as LeViTUNetVariant[];
const engines = arg('engines', 'onnxruntime,tfjs').split(',');
const layouts = arg('layouts', 'nchw').split(',') as Array<'nchw' | 'nhwc'>;
const repeats = Number(arg('repeats', '5'));
const threads = process.argv.includes('--threads') ? Number(arg('threads', '')) : undefined;
const size = 224;

interface Row {
  variant: string;
  engine: string;
  backend: string;
  threads: number;
  inferMsPerImageB1: number;
  inferMsPerImageB8: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Median wall-clock and CPU ms per image of `run(batch)` over `repeats` runs after one warm-up. CPU time
 * (all threads of this process) hardly changes when other jobs share the cores, so it tells what an idle
 * machine would do: wall ≈ CPU / threads.
 */
async function msPerImage(run: (images: Float32Array, n: number) => Promise<unknown>, batch: number): Promise<{ wall: number; cpu: number }> {
  const images = new Float32Array(batch * size * size).map(() => Math.random());
  await run(images, batch);
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await run(images, batch);
    walls.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  return { wall: +(median(walls) / batch).toFixed(1), cpu: +(median(cpus) / batch).toFixed(1) };
}

/** One result row (the JSON printed), plus the CPU figures for the table. */
async function measure(variant: string, engine: string, backendName: string, threadCount: number, run: (images: Float32Array, n: number) => Promise<unknown>): Promise<Row> {
  const b1 = await msPerImage(run, 1);
  const b8 = await msPerImage(run, 8);
  const row: Row = { variant, engine, backend: backendName, threads: threadCount, inferMsPerImageB1: b1.wall, inferMsPerImageB8: b8.wall };
  cpuMs.set(row, [b1.cpu, b8.cpu]);
  console.log(JSON.stringify(row));
  return row;
}

function tfjsRun(model: LayersModel) {
  return async (images: Float32Array, n: number) => {
    const x = tf.tensor4d(images, [n, size, size, 1]);
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    tf.dispose([x, y]);
  };
}

const { backend } = await initBackend('wasm');
// The machine may be shared: the load average says how far the figures are from an idle machine's.
console.error(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
const rows: Row[] = [];
const cpuMs = new Map<Row, [number, number]>();
for (const variant of variants) {
  const model = createLeViTUNet({ variant, numClasses: 9 });
  if (engines.includes('onnxruntime')) {
    for (const layout of layouts) {
      const t0 = performance.now();
      const bytes = exportOnnx(model, { layout });
      const exportMs = performance.now() - t0;
      const engine = await createOnnxRuntimeEngine(bytes, { threads });
      const run = (images: Float32Array, n: number) => engine.predictLogits(images, n);
      rows.push(await measure(variant, layout === 'nchw' ? 'onnxruntime' : 'onnxruntime (nhwc export)', 'cpu', threads ?? availableParallelism(), run));
      await engine.dispose();
      console.error(`  (${variant} export: ${exportMs.toFixed(0)} ms, ${(bytes.length / 2 ** 20).toFixed(1)} MiB)`);
    }
  }
  if (engines.includes('tfjs')) {
    rows.push(await measure(variant, 'tfjs', backend, 1, tfjsRun(model)));
  }
  model.dispose();
}
console.error(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`\n| size | engine | backend | threads | ms/image batch 1 | ms/image batch 8 | CPU ms/image batch 1 | CPU ms/image batch 8 |\n|---|---|---|---|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.variant} | ${r.engine} | ${r.backend} | ${r.threads} | ${r.inferMsPerImageB1} | ${r.inferMsPerImageB8} | ${cpuMs.get(r)?.join(' | ')} |`);
