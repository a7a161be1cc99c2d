import type { GradientFormulations } from '../../src/gradients/gradient-rule.js';
import { appendFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { OnnxGraphBuilder } from '../../src/onnx-graph-builder.js';
import { finiteDifferenceError, gradientCheck, randomArray, type CheckInput } from './gradient-check.js';

export { tf };

/** tfjs on its CPU backend (JS-number arithmetic), without the "install tfjs-node" banner. */
export async function useTfjsCpu(): Promise<void> {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
}

/** Uniform values in [lo, hi) at least `margin` away from each of `kinks` (Relu's 0, HardSwish's ±3). */
export function randomAway(n: number, rand: (lo?: number, hi?: number) => number, lo: number, hi: number, kinks: readonly number[], margin = 0.05): Float32Array {
  const out = randomArray(n, rand, lo, hi);
  for (let i = 0; i < n; i++) while (kinks.some((k) => Math.abs(out[i]! - k) < margin)) out[i] = rand(lo, hi);
  return out;
}

/** Values whose magnitude lies in [lo, hi), random sign (Div / Reciprocal denominators away from 0). */
export function randomMagnitude(n: number, rand: (lo?: number, hi?: number) => number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rand() < 0 ? -1 : 1) * rand(lo, hi));
}

/** max |a − b| / max |b| (0 when both are all zeros). */
export function relativeMaxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * tfjs's own value and gradients of the loss Σ fn(x…)·r: `fn` takes every input, in the ONNX layout and
 * order (layout changes go inside it, so the gradients come back in the ONNX layout); gradients of the
 * inputs marked `differentiable: false` are not taken.
 */
export function tfjsGradients(
  inputs: readonly CheckInput[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor,
  r: Float32Array,
  rDims: readonly number[],
): { y: Float32Array; yDims: number[]; grads: Map<string, Float32Array> } {
  // A scope rather than tf.tidy: what comes out is plain arrays, not tensors.
  tf.engine().startScope();
  try {
    const all = inputs.map((i) => tf.tensor(i.data, i.dims, 'float32'));
    const wrt = inputs.flatMap((input, k) => (input.differentiable === false ? [] : [k]));
    const weights = tf.tensor(r, [...rDims], 'float32');
    const y = fn(...all);
    const loss = (...ws: tf.Tensor[]) => {
      const xs = [...all];
      wrt.forEach((k, j) => (xs[k] = ws[j]!));
      return tf.sum(tf.mul(fn(...xs), weights));
    };
    const grads = tf.grads(loss)(wrt.map((k) => all[k]!));
    return {
      y: Float32Array.from(y.dataSync()),
      yDims: y.shape,
      grads: new Map(wrt.map((k, j) => [inputs[k]!.name, Float32Array.from(grads[j]!.dataSync())])),
    };
  } finally {
    tf.engine().endScope();
  }
}

export interface GradientCase {
  inputs: CheckInput[];
  /** The ONNX forward graph: returns y. */
  onnx: (graph: OnnxGraphBuilder, names: string[]) => string;
  /** The same y in tfjs (omit where tfjs has no gradient, e.g. dilated conv filters). */
  tfjs?: (...xs: tf.Tensor[]) => tf.Tensor;
  fd?: { count?: number; step?: number; floor?: number };
  seed?: number;
  /** Gradient formulations to build (default: buildGradients' defaults). */
  formulations?: Partial<GradientFormulations>;
}

export interface GradientReport {
  /** Worst |fd − analytic| / (|fd| + |analytic| + floor) over the probed elements. */
  fd: number;
  /** Worst over the inputs of max |g_onnx − g_tfjs| / max |g_tfjs|. */
  tfjs: number;
  /** max |y_onnx − y_tfjs| / max |y_tfjs|: the two sides compute the same function. */
  forward: number;
  grads: Map<string, Float32Array>;
  y: Float32Array;
  r: Float32Array;
}

/** Runs one case against central finite differences and tfjs; `GRADIENT_REPORT=file` appends the errors there. */
export async function compareGradients(label: string, c: GradientCase): Promise<GradientReport> {
  const check = await gradientCheck(c.inputs, c.onnx, c.seed, c.formulations);
  try {
    const fd = await finiteDifferenceError(c.inputs, check, { count: 24, ...c.fd });
    let tfjs = Number.NaN;
    let forward = Number.NaN;
    if (c.tfjs) {
      const ref = tfjsGradients(c.inputs, c.tfjs, check.r, check.yDims);
      expect(ref.yDims, `${label}: tfjs output shape`).toEqual(check.yDims);
      forward = relativeMaxError(check.y, ref.y);
      tfjs = Math.max(...[...ref.grads].map(([name, g]) => relativeMaxError(check.grads.get(name)!, g)));
    }
    if (process.env.GRADIENT_REPORT) appendFileSync(process.env.GRADIENT_REPORT, `${JSON.stringify({ label, fd, tfjs, forward })}\n`);
    return { fd, tfjs, forward, grads: check.grads, y: check.y, r: check.r };
  } finally {
    await check.dispose();
  }
}

/** `compareGradients` and the expectations: fd error < `fd`, tfjs and forward within `tfjs` (relative to max |g|). */
export async function expectGradients(label: string, c: GradientCase, tol: { fd?: number; tfjs?: number } = {}): Promise<GradientReport> {
  const report = await compareGradients(label, c);
  const { fd = 1e-2, tfjs = 1e-5 } = tol;
  expect(report.fd, `${label}: finite differences`).toBeLessThan(fd);
  if (c.tfjs) {
    expect(report.forward, `${label}: forward vs tfjs`).toBeLessThan(tfjs);
    expect(report.tfjs, `${label}: gradient vs tfjs`).toBeLessThan(tfjs);
  }
  return report;
}
