import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { runJsonChild } from '@levit-unet/test-utils/json-child';
import { maxAbsDiff, useTfBackend } from '@levit-unet/test-utils/tf';
import { createLeViTUNet } from '../src/index.js';
import { enableWasmThreads, MAX_WASM_THREADS, resolveWasmThreads } from '../src/node/wasm-threads.js';

const tf = await useTfBackend(registerWasmTrainingKernels);
const here = dirname(fileURLToPath(import.meta.url));

/** Deterministic inputs: no RNG state shared between backends. */
function ramp(shape: number[], scale: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * scale);
}

interface Outputs {
  conv: Float32Array;
  matMul: Float32Array;
  forward: Float32Array;
  /** Loss and gradients of one training step; only when asked for (the slow part). */
  loss?: number;
  grads?: Float32Array[];
}

/** The model's weights as plain arrays: tensors do not survive a backend switch. */
let weights: { shape: number[]; values: Float32Array }[] = [];

/** A small LeViT-UNet-128s with the same weights on whichever backend is active. */
function freshModel(): LayersModel {
  const model = createLeViTUNet({ variant: '128s', numClasses: 3, imgSize: 64 });
  if (weights.length === 0) weights = model.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync() as Float32Array }));
  else {
    const values = weights.map((w) => tf.tensor(w.values, w.shape));
    model.setWeights(values);
    tf.dispose(values);
  }
  return model;
}

/** conv2d, matMul, a small LeViT-UNet forward and one training step's loss and gradients, on the active backend. */
function compute(withGrads = false): Outputs {
  const before = tf.memory().numTensors;
  const model = freshModel();
  const outputs = tf.tidy(() => {
    const x = tf.tensor4d(ramp([2, 40, 40, 16], 1), [2, 40, 40, 16]);
    const w = tf.tensor4d(ramp([3, 3, 16, 32], 0.2), [3, 3, 16, 32]);
    const conv = tf.conv2d(x, w, 1, 'same').dataSync() as Float32Array;
    const a = tf.tensor2d(ramp([96, 130], 1), [96, 130]);
    const b = tf.tensor2d(ramp([130, 70], 0.5), [130, 70]);
    const matMul = tf.matMul(a, b).dataSync() as Float32Array;
    const image = tf.tensor4d(ramp([1, 64, 64, 1], 1), [1, 64, 64, 1]);
    const forward = (model.predict(image) as Tensor).dataSync() as Float32Array;
    if (!withGrads) return { conv, matMul, forward };
    // Batch 2: at 64×64 the last stage is 1×1, and BatchNorm in training needs more than one value per channel.
    const batch = tf.tensor4d(ramp([2, 64, 64, 1], 1), [2, 64, 64, 1]);
    const labels = tf.oneHot(tf.tensor3d(Int32Array.from(ramp([2, 64, 64], 1), (v) => Math.floor((v + 1) * 1.5)), [2, 64, 64], 'int32'), 3);
    const vars = model.trainableWeights.map((v) => v.read() as Variable);
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.apply(batch, { training: true }) as Tensor) as Scalar, vars);
    return { conv, matMul, forward, loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
  });
  // The model holds its inference caches (folded BatchNorms) until it is disposed.
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return outputs;
}

/** Max |a − b| relative to the largest |a|, so layers with large activations get the same tolerance. */
function relDiff(a: Float32Array, b: Float32Array): number {
  let scale = 1;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  return maxAbsDiff(a, b) / scale;
}

const stockWasm = tf.findBackendFactory('wasm')!;
/** Drops the active wasm backend so the next one initialises from scratch (as in a fresh process). */
function resetWasm(): void {
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', stockWasm, 2);
}

describe('multi-threaded wasm', () => {
  let single: Outputs;
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'wasm-threads-'));
    single = compute(true);
  });
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('resolves the thread count: all cores by default, capped at tfjs\'s 8, positive integers only', () => {
    expect(resolveWasmThreads(3)).toBe(3);
    expect(resolveWasmThreads(64)).toBe(MAX_WASM_THREADS);
    expect(resolveWasmThreads(undefined)).toBe(Math.min(availableParallelism(), 8));
    expect(() => resolveWasmThreads(0)).toThrow(/^threads must be a positive integer \(got 0\)$/);
    expect(() => resolveWasmThreads(1.5)).toThrow(/positive integer/);
  });

  it('the single-threaded reference itself matches closed forms (matMul in float64 JS)', () => {
    expect(getThreadsCount()).toBe(1);
    const a = ramp([96, 130], 1);
    const b = ramp([130, 70], 0.5);
    const ref = new Float32Array(96 * 70);
    for (let i = 0; i < 96; i++) for (let j = 0; j < 70; j++) {
      let s = 0;
      for (let k = 0; k < 130; k++) s += a[i * 130 + k] * b[k * 70 + j];
      ref[i * 70 + j] = s;
    }
    expect(relDiff(ref, single.matMul)).toBeLessThan(1e-5);
  });

  it('the threaded build gives the single-threaded results: conv2d, matMul, LeViT-UNet forward, a training step', async () => {
    resetWasm();
    const result = await enableWasmThreads({ threads: 2 });
    expect(result).toEqual({ threads: 2 });
    expect(tf.getBackend()).toBe('wasm');
    const threaded = compute(true);
    expect(relDiff(single.conv, threaded.conv)).toBeLessThanOrEqual(1e-6);
    expect(relDiff(single.matMul, threaded.matMul)).toBeLessThanOrEqual(1e-6);
    expect(relDiff(single.forward, threaded.forward)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(single.loss! - threaded.loss!)).toBeLessThanOrEqual(1e-6);
    single.grads!.forEach((g, i) => expect(relDiff(g, threaded.grads![i]), `gradient ${i}`).toBeLessThanOrEqual(1e-5));
    // One optimiser step runs on the threaded build (levit-blocks' training kernels included).
    const model = freshModel();
    const optimizer = tf.train.sgd(0.01);
    const image = tf.randomNormal([2, 64, 64, 1], 0, 1, 'float32', 7);
    const labels = tf.oneHot(tf.zeros([2, 64, 64], 'int32'), 3);
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(image, { training: true }) as Tensor) as Scalar, true);
    expect(Number.isFinite(loss!.dataSync()[0])).toBe(true);
    tf.dispose([loss!, image, labels]);
    optimizer.dispose();
    model.dispose();
  });

  it('falls back to the single-threaded build with a one-line reason when the worker cannot start', async () => {
    resetWasm();
    const broken = join(scratch, 'broken-worker.cjs');
    writeFileSync(broken, "throw new Error('simulated worker failure');\n");
    const result = await enableWasmThreads({ threads: 2, workerFile: broken });
    expect(result.threads).toBe(1);
    expect(result.fallback).toMatch(/^threaded wasm unavailable, using the single-threaded build: .*simulated worker failure/);
    expect(result.fallback).not.toContain('\n');
    const fallback = compute();
    expect(maxAbsDiff(single.conv, fallback.conv)).toBe(0);
    expect(maxAbsDiff(single.forward, fallback.forward)).toBe(0);
  });

  it('falls back when SharedArrayBuffer is missing', async () => {
    resetWasm();
    const sab = globalThis.SharedArrayBuffer;
    Reflect.deleteProperty(globalThis, 'SharedArrayBuffer');
    try {
      const result = await enableWasmThreads({ threads: 2 });
      expect(result).toEqual({ threads: 1, fallback: 'threaded wasm unavailable, using the single-threaded build: SharedArrayBuffer is not available' });
    } finally {
      globalThis.SharedArrayBuffer = sab;
    }
    expect(maxAbsDiff(single.conv, compute().conv)).toBe(0);
  });

  /** Runs the child fixture under LEVIT_THREADS; resolves with its JSON line, exit code and ms from its last line to its exit. */
  async function runChild(levitThreads: string | undefined): Promise<{ info: Record<string, unknown>; code: number | null; exitAfterMs: number }> {
    const env = { ...process.env, LEVIT_THREADS: levitThreads };
    if (levitThreads === undefined) delete env.LEVIT_THREADS;
    // Init can be slow on a loaded machine; a pool that keeps the process alive would hit the 60 s timeout.
    const { result: info, code, exitedAtMs } = await runJsonChild(join(here, 'fixtures/wasm-threads-child.ts'), { env });
    return { info, code, exitAfterMs: exitedAtMs - (info.doneAtMs as number) };
  }

  it('a process on the threaded backend exits by itself once its work is done', async () => {
    const { info, code, exitAfterMs } = await runChild(undefined);
    expect(code).toBe(0);
    expect(info).toMatchObject({ backend: 'wasm', threads: Math.min(availableParallelism(), 8), centre: 72 });
    expect(exitAfterMs).toBeLessThan(5000);
  });

  it('LEVIT_THREADS=1 keeps the single-threaded build', async () => {
    const { info, code } = await runChild('1');
    expect(code).toBe(0);
    expect(info).toMatchObject({ backend: 'wasm', threads: 1, centre: 72 });
    expect(info.threadsFallback).toBeUndefined();
  });
});
