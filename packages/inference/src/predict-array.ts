import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { checkFiniteLogits } from './finite-logits.js';

/** Axis order of an image batch: (n, c, h, w) as PyTorch, or (n, h, w, c) as tfjs. */
export type ArrayLayout = 'nchw' | 'nhwc';

/** A batch of images as one float32 array and its shape. */
export interface ImageBatch {
  data: Float32Array;
  /** (n, c, h, w) for 'nchw', (n, h, w, c) for 'nhwc'. */
  shape: number[];
}

/** Options of `predictArray`. */
export interface PredictArrayOptions {
  layout?: ArrayLayout;
  batchSize?: number;
  /** Names the input in errors (a file path). */
  source?: string;
  /** Called after each engine call with the images done and their total. */
  onBatch?: (done: number, total: number) => void;
}

/** (n, h, w, c) of an input batch, checked against the model's input shape. */
function checkInput(model: LayersModel, input: ImageBatch, layout: ArrayLayout, source: string): [number, number, number, number] {
  const [, h, w, c] = model.inputs[0].shape as [null, number, number, number];
  const expected = layout === 'nchw' ? `(n, ${c}, ${h}, ${w})` : `(n, ${h}, ${w}, ${c})`;
  const shape = input.shape;
  const nhwc = shape.length === 4 ? (layout === 'nchw' ? [shape[0], shape[2], shape[3], shape[1]] : shape) : null;
  if (!nhwc || nhwc[1] !== h || nhwc[2] !== w || nhwc[3] !== c) {
    throw new Error(`${source}: expected a float32 array of shape ${expected} (${layout.toUpperCase()}) for this model, got (${shape.join(', ')})`);
  }
  if (!(input.data instanceof Float32Array) || input.data.length !== shape.reduce((a, b) => a * b, 1)) {
    throw new Error(`${source}: expected float32 data with ${shape.reduce((a, b) => a * b, 1)} values`);
  }
  for (let i = 0; i < input.data.length; i++) {
    if (!Number.isFinite(input.data[i])) throw new Error(`${source}: value ${input.data[i]} at flat index ${i} is not finite`);
  }
  return nhwc as [number, number, number, number];
}

/**
 * Logits for a batch of images held in a typed array, in the input's layout: (n, C, h, w) for NCHW
 * (as PyTorch), (n, h, w, C) for NHWC. Runs in batches; no tensors outlive the call. NaN/Inf logits are an error.
 */
export async function predictLogitsArray(model: LayersModel, input: ImageBatch, options: PredictArrayOptions = {}): Promise<ImageBatch> {
  const layout = options.layout ?? 'nchw';
  const [n, h, w, c] = checkInput(model, input, layout, options.source ?? 'input');
  const classes = model.outputs[0].shape[3] as number;
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const out = new Float32Array(n * classes * h * w);
  const perImageIn = h * w * c;
  const perImageOut = h * w * classes;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const logits = tf.tidy(() => {
      let x = tf.tensor(input.data.subarray(start * perImageIn, (start + count) * perImageIn), layout === 'nchw' ? [count, c, h, w] : [count, h, w, c]);
      if (layout === 'nchw') x = tf.transpose(x, [0, 2, 3, 1]);
      const y = model.predict(x) as tf.Tensor;
      return layout === 'nchw' ? tf.transpose(y, [0, 3, 1, 2]) : y;
    });
    out.set(await logits.data(), start * perImageOut);
    logits.dispose();
    options.onBatch?.(start + count, n);
  }
  checkFiniteLogits(out, 'tfjs', options.source ?? 'input');
  return { data: out, shape: layout === 'nchw' ? [n, classes, h, w] : [n, h, w, classes] };
}

/** Per-pixel argmax over the class axis: (n, h, w) labels. */
export function argmaxLabels(logits: ImageBatch, layout: ArrayLayout = 'nchw'): { data: Uint8Array; shape: number[] } {
  const [n, a, b, d] = logits.shape;
  const [classes, h, w] = layout === 'nchw' ? [a, b, d] : [d, a, b];
  if (classes > 256) throw new Error(`argmaxLabels: ${classes} classes do not fit uint8 labels`);
  const labels = new Uint8Array(n * h * w);
  const v = logits.data;
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < h * w; p++) {
      let best = 0;
      let bestValue = -Infinity;
      for (let k = 0; k < classes; k++) {
        const value = layout === 'nchw' ? v[(i * classes + k) * h * w + p] : v[(i * h * w + p) * classes + k];
        if (value > bestValue) {
          bestValue = value;
          best = k;
        }
      }
      labels[i * h * w + p] = best;
    }
  }
  return { data: labels, shape: [n, h, w] };
}
