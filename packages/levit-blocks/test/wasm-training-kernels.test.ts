import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, useTfBackend } from '@levit-unet/test-utils/tf';
import { registerWasmTrainingKernels } from '../src/index.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels, 'wasm');
});

/** Runs `f` on the cpu backend (tfjs' own kernels: the reference) and on wasm with our kernels. */
async function onBothBackends(f: () => import('@tensorflow/tfjs-core').Tensor): Promise<[Float32Array, Float32Array]> {
  await tf.setBackend('cpu');
  const ref = (await f().data()) as Float32Array;
  await tf.setBackend('wasm');
  const got = (await f().data()) as Float32Array;
  return [ref, got];
}

describe('wasm training kernels', () => {
  it.each([
    { x: [2, 9, 7, 3], k: [3, 3, 3, 4], stride: 1, pad: 1 as const },
    { x: [2, 9, 8, 3], k: [3, 3, 3, 5], stride: 2, pad: 1 as const },
    { x: [1, 10, 10, 2], k: [3, 3, 2, 2], stride: 2, pad: 'same' as const },
    { x: [1, 7, 9, 2], k: [2, 3, 2, 3], stride: 1, pad: 'valid' as const },
  ])('Conv2DBackpropFilter matches the cpu backend ($x, $k, stride $stride, pad $pad)', async ({ x, k, stride, pad }) => {
    const xs = tf.randomNormal(x, 0, 1, 'float32', 1).arraySync();
    const [ref, got] = await onBothBackends(() => {
      const input = tf.tensor(xs as number[]) as import('@tensorflow/tfjs-core').Tensor4D;
      const filter = tf.zeros(k as [number, number, number, number]) as import('@tensorflow/tfjs-core').Tensor4D;
      const dy = tf.randomNormal(tf.conv2d(input, filter, stride, pad).shape, 0, 1, 'float32', 2);
      // d/dW Σ conv(x, W)·dy = Conv2DBackpropFilter(x, dy)
      const weightGrad = tf.grad((w: import('@tensorflow/tfjs-core').Tensor) => tf.sum(tf.mul(tf.conv2d(input, w as typeof filter, stride, pad), dy)));
      return weightGrad(filter);
    });
    expect(got.length).toBe(ref.length);
    expect(maxAbsDiff(got, ref)).toBeLessThan(1e-4);
  });

  it.each([
    { x: [2, 9, 7, 3], k: [3, 3, 3, 4], stride: 1, pad: 1 as const },
    { x: [2, 9, 8, 3], k: [3, 3, 3, 5], stride: 2, pad: 1 as const },
    { x: [1, 10, 10, 2], k: [3, 3, 2, 2], stride: 2, pad: 'same' as const },
    { x: [1, 8, 9, 2], k: [3, 3, 2, 3], stride: 2, pad: 'valid' as const },
    { x: [1, 7, 9, 2], k: [2, 3, 2, 3], stride: 1, pad: 'valid' as const },
  ])('Conv2DBackpropInput matches the cpu backend ($x, $k, stride $stride, pad $pad)', async ({ x, k, stride, pad }) => {
    const xs = tf.randomNormal(x, 0, 1, 'float32', 3).arraySync();
    const ws = tf.randomNormal(k, 0, 1, 'float32', 4).arraySync();
    const [ref, got] = await onBothBackends(() => {
      const input = tf.tensor(xs as number[]) as import('@tensorflow/tfjs-core').Tensor4D;
      const filter = tf.tensor(ws as number[]) as import('@tensorflow/tfjs-core').Tensor4D;
      const dy = tf.randomNormal(tf.conv2d(input, filter, stride, pad).shape, 0, 1, 'float32', 5);
      // d/dx Σ conv(x, W)·dy = Conv2DBackpropInput(dy, W)
      const inputGrad = tf.grad((v: import('@tensorflow/tfjs-core').Tensor) => tf.sum(tf.mul(tf.conv2d(v as typeof input, filter, stride, pad), dy)));
      return inputGrad(input);
    });
    expect(got.length).toBe(ref.length);
    expect(maxAbsDiff(got, ref)).toBeLessThan(1e-4);
  });

  it('UnsortedSegmentSum (the gradient of gather) matches the cpu backend', async () => {
    const [ref, got] = await onBothBackends(() => {
      const biases = tf.variable(tf.randomNormal([3, 10], 0, 1, 'float32', 3));
      const idx = tf.tensor1d([0, 3, 3, 9, 1, 0, 0, 5], 'int32');
      const g = tf.grad((b: import('@tensorflow/tfjs-core').Tensor) => tf.sum(tf.mul(tf.gather(b, idx, 1), tf.range(1, 25).reshape([3, 8]))));
      return g(biases);
    });
    expect(maxAbsDiff(got, ref)).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(ref).map(Math.abs))).toBeGreaterThan(1);
  });

  it('Conv2DBackpropFilter leaves no tensor or buffer behind and does not free its inputs', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 12, 12, 4]) as import('@tensorflow/tfjs-core').Tensor4D;
    const w = tf.randomNormal([3, 3, 4, 6]) as import('@tensorflow/tfjs-core').Tensor4D;
    const g = tf.grad((f: import('@tensorflow/tfjs-core').Tensor) => tf.sum(tf.conv2d(x, f as typeof w, 2, 1)));
    tf.dispose(g(w));
    const before = tf.memory();
    for (let i = 0; i < 5; i++) tf.dispose(g(w));
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect((after as { numDataBuffers: number }).numDataBuffers).toBe((before as { numDataBuffers: number }).numDataBuffers);
    expect(Array.from(await x.data()).some((v) => v !== 0)).toBe(true);
  });

  it('registering twice is harmless', () => {
    expect(() => registerWasmTrainingKernels()).not.toThrow();
  });
});
