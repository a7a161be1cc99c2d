import { beforeAll, describe, expect, it } from 'vitest';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { LeViTConv2dBN, LeViTLinearBN, nextInitSeed, withInitSeed } from '../src/index.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend();
});

/** Two conv-BN layers of the same shape and a linear-BN: weights built when the model is made. */
function build(): LayersModel {
  const input = tf.input({ shape: [8, 8, 4] });
  const a = new LeViTConv2dBN({ filters: 4, kernelSize: 3, strides: 1, padding: 1 }).apply(input) as SymbolicTensor;
  const b = new LeViTConv2dBN({ filters: 4, kernelSize: 3, strides: 1, padding: 1 }).apply(a) as SymbolicTensor;
  const flat = tf.layers.reshape({ targetShape: [64, 4] }).apply(b) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: new LeViTLinearBN({ units: 6 }).apply(flat) as SymbolicTensor });
}

const values = (model: LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('withInitSeed', () => {
  it('one seed gives the same weights, another seed other ones, and each weight its own stream', () => {
    const [a, b, c] = [withInitSeed(7, build), withInitSeed(7, build), withInitSeed(8, build)];
    expect(values(b)).toEqual(values(a));
    expect(values(c)).not.toEqual(values(a));
    // The two 3×3×4×4 kernels are not the same draw.
    const kernels = a.getWeights().flatMap((w, i) => (w.rank === 4 ? [i] : []));
    expect(kernels.map((i) => a.getWeights()[i]!.shape)).toEqual([[3, 3, 4, 4], [3, 3, 4, 4]]);
    expect(values(a)[kernels[0]!]).not.toEqual(values(a)[kernels[1]!]);
    // PyTorch's default scale is kept: U(−1/√fan_in, 1/√fan_in), fan_in = 3·3·4.
    const bound = 1 / Math.sqrt(36);
    expect(Math.max(...values(a)[0]!.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...values(a)[0]!.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('leaves tfjs unseeded outside a scope, and restores an outer scope', () => {
    const [a, b] = [build(), build()];
    expect(values(b)).not.toEqual(values(a));
    expect(nextInitSeed()).toBeUndefined();
    const seeds = withInitSeed(3, () => [nextInitSeed(), withInitSeed(4, () => nextInitSeed()), nextInitSeed()]);
    expect(seeds).toEqual([3 * 2 ** 20, 4 * 2 ** 20, 3 * 2 ** 20 + 1]);
    expect(withInitSeed(undefined, () => nextInitSeed())).toBeUndefined();
    expect(() => withInitSeed(1.5, build)).toThrow('the initialisation seed must be an integer of magnitude below 2^32, got 1.5');
    [a, b].forEach((m) => m.dispose());
  });
});
