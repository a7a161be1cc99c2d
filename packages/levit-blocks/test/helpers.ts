import type * as tfc from '@tensorflow/tfjs-core';
import { input, type layers } from '@tensorflow/tfjs-layers';
import { ModuleLayer } from '../src/index.js';
import { SeededRandom } from '@levit-unet/datasets';

export { compareToReference } from '@levit-unet/test-utils';

type TF = typeof tfc;

/**
 * Gives every weight of a layer non-trivial values (γ in [0.5, 1.5], running_var in [0.5, 2], the rest
 * roughly N(0, 0.5²)), as the official fixtures do, so that γ = 0 initialisations cannot hide mistakes.
 */
export function randomizeWeights(tf: TF, layer: layers.Layer, seed: number): void {
  const rand = SeededRandom.stream(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const tensors = layer.weights.map((w) => {
    const size = w.shape.reduce((a: number, b) => a * (b as number), 1);
    const name = w.originalName;
    if (w.dtype === 'int32') return tf.zeros(w.shape as number[], 'int32');
    const values = Float32Array.from({ length: size }, () => {
      if (name.endsWith('bn.weight') || /\.1\.weight$/.test(name)) return 0.5 + rand();
      if (name.endsWith('running_var')) return 0.5 + 1.5 * rand();
      return 0.5 * normal();
    });
    return tf.tensor(values, w.shape as number[]);
  });
  layer.setWeights(tensors);
  // The variables hold the data now; these handles would only count as leaked tensors.
  tf.dispose(tensors);
}

/** A layer's weights as plain arrays keyed by their PyTorch suffix. */
export async function weightsBySuffix(layer: layers.Layer): Promise<Map<string, Float64Array>> {
  const out = new Map<string, Float64Array>();
  for (const w of layer.weights) {
    const suffix = ModuleLayer.torchSuffix(layer, w);
    out.set(suffix, Float64Array.from(await w.read().data()));
  }
  return out;
}

export interface BnParams {
  gamma: Float64Array;
  beta: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
}

export function bnParams(weights: Map<string, Float64Array>, prefix: string): BnParams {
  const get = (k: string) => {
    const v = weights.get(`${prefix}.${k}`);
    if (!v) throw new Error(`no weight ${prefix}.${k}`);
    return v;
  };
  return { gamma: get('weight'), beta: get('bias'), mean: get('running_mean'), variance: get('running_var') };
}

/** Inference Linear_BN in float64: x (rows × inDim), w [inDim, outDim] → (rows × outDim). */
export function refLinearBN(x: Float64Array, rows: number, w: Float64Array, outDim: number, bn: BnParams): Float64Array {
  const inDim = w.length / outDim;
  const y = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outDim; o++) {
      let s = 0;
      for (let i = 0; i < inDim; i++) s += x[r * inDim + i] * w[i * outDim + o];
      y[r * outDim + o] = ((s - bn.mean[o]) / Math.sqrt(bn.variance[o] + 1e-5)) * bn.gamma[o] + bn.beta[o];
    }
  }
  return y;
}

export function refHardswish(x: Float64Array): Float64Array {
  return x.map((v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6);
}

/**
 * The official Attention / AttentionSubsample forward for one sample in float64 loops, written from the
 * PyTorch code (view(B, N, H, −1).split, q·kᵀ·scale + biases[:, idxs], softmax, ·v, transpose/reshape).
 */
export function refAttention(args: {
  x: Float64Array;
  numTokens: number;
  queries: Float64Array;
  numQueries: number;
  numHeads: number;
  keyDim: number;
  valueDim: number;
  /** Per-head channel layout of the key/value projection: [q, k, v] (attention) or [k, v] (subsample). */
  kv: Float64Array;
  kvPerHead: number;
  qOffset: number | null;
  kOffset: number;
  vOffset: number;
  q: Float64Array | null;
  biases: Float64Array;
  numOffsets: number;
  idxs: Int32Array;
}): Float64Array {
  const { numTokens, numQueries, numHeads: h, keyDim: d, valueDim: dv, kv, kvPerHead, biases, idxs } = args;
  const scale = d ** -0.5;
  const out = new Float64Array(numQueries * h * dv);
  for (let head = 0; head < h; head++) {
    for (let i = 0; i < numQueries; i++) {
      const logits = new Float64Array(numTokens);
      for (let j = 0; j < numTokens; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) {
          const qv = args.q
            ? args.q[i * h * d + head * d + c]
            : kv[i * h * kvPerHead + head * kvPerHead + (args.qOffset as number) + c];
          s += qv * kv[j * h * kvPerHead + head * kvPerHead + args.kOffset + c];
        }
        logits[j] = s * scale + biases[head * args.numOffsets + idxs[i * numTokens + j]];
      }
      const max = Math.max(...logits);
      const e = logits.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < dv; c++) {
        let s = 0;
        for (let j = 0; j < numTokens; j++) s += (e[j] / sum) * kv[j * h * kvPerHead + head * kvPerHead + args.vOffset + c];
        out[i * h * dv + head * dv + c] = s;
      }
    }
  }
  return out;
}

/** Builds a layer the way a model does (inside its name scope), on a symbolic input of `shape` (no batch axis). */
export function buildLayer(layer: layers.Layer, shape: number[]): void {
  layer.apply(input({ shape }));
}

