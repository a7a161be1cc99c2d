import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs-core';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { LeViTHardswish, hardswish, hardswishDerivative, registerWasmTrainingKernels } from '../src/index.js';
import { compareToReference, refHardswish } from './helpers.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels);
});

/** The formula tfjs differentiates itself (the previous implementation). */
const plainHardswish = (x: Tensor) => tf.div(tf.mul(x, tf.clipByValue(tf.add(x, 3), 0, 6)), 6);

describe('hardswish (closed-form gradient)', () => {
  it.each([
    ['NHWC', [2, 7, 6, 5]],
    ['tokens (B, N, C)', [3, 16, 12]],
  ] as const)('forward equals the formula and the float64 reference; dx equals tfjs autograd on %s', async (_, shape) => {
    // Spread over all three pieces (x < −3, [−3, 3], x > 3).
    const x = tf.mul(tf.randomNormal([...shape], 0, 1, 'float32', 3), 4);
    const r = tf.randomNormal([...shape], 0, 1, 'float32', 4);
    const y = await hardswish(x).data();
    expect(Array.from(y)).toEqual(Array.from(await plainHardswish(x).data()));
    const reference = refHardswish(Float64Array.from(await x.data()));
    const { maxError, maxReference } = compareToReference(reference, y);
    expect(maxError / maxReference).toBeLessThan(1e-6);
    const got = await tf.grad((a: Tensor) => tf.sum(tf.mul(hardswish(a), r)))(x).data();
    const expected = await tf.grad((a: Tensor) => tf.sum(tf.mul(plainHardswish(a), r)))(x).data();
    const cmp = compareToReference(expected, got);
    expect(cmp.maxError / cmp.maxReference).toBeLessThan(1e-5);
  });

  it('has PyTorch hardswish_backward\'s derivative, pieces and boundaries included', async () => {
    const x = [-5, -3.5, -3, -1.5, 0, 1, 3, 3.01, 7];
    // torch: x < −3 → 0; x ≤ 3 → x/3 + 0.5; else 1.
    const expected = x.map((v) => (v < -3 ? 0 : v <= 3 ? v / 3 + 0.5 : 1));
    const got = await hardswishDerivative(tf.tensor1d(x)).data();
    expect(compareToReference(expected, got).maxError).toBeLessThan(1e-6);
  });

  it('matches the cpu backend, reaches through the LeViTHardswish layer, and leaks no tensor', async () => {
    const x = tf.mul(tf.randomNormal([4, 33], 0, 1, 'float32', 5), 4);
    const values = await x.data();
    const before = tf.memory().numTensors;
    const layer = new LeViTHardswish({ name: 'hs' });
    const g = tf.grad((a: Tensor) => tf.sum(tf.square(layer.apply(a, { training: true }) as Tensor)))(x);
    const got = await g.data();
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    try {
      const xc = tf.tensor(values, [4, 33]);
      const expected = await tf.grad((a: Tensor) => tf.sum(tf.square(plainHardswish(a))))(xc).data();
      const cmp = compareToReference(expected, got);
      expect(cmp.maxError / cmp.maxReference).toBeLessThan(1e-5);
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('leaves a caller-supplied output gradient alone (tf.grad(f)(x, dy))', async () => {
    const x = tf.tensor1d([-4, -1, 2, 5]);
    const dy = tf.tensor1d([1, 2, 3, 4]);
    const dx = await tf.grad((a: Tensor) => hardswish(a))(x, dy).data();
    expect(dy.isDisposed).toBe(false);
    [0, 2 * (-1 / 3 + 0.5), 3 * (2 / 3 + 0.5), 4].forEach((expected, i) => expect(dx[i]).toBeCloseTo(expected, 6));
  });
});
