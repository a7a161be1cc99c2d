import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2D, getGradient, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { conv2dFilterGradient, registerWasmTrainingKernels } from '../src/index.js';
import { compareToReference } from './helpers.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels);
});

/** tfjs's own Conv2D filter gradient (Conv2DBackpropFilter) on the current backend. */
function registeredFilterGradient(x: Tensor, dy: Tensor, filterShape: number[], padding: number, stride: number): Tensor {
  const attrs = { strides: stride, pad: padding, dataFormat: 'NHWC', dilations: 1 };
  return getGradient(Conv2D)!.gradFunc(dy, [x, tf.zeros(filterShape)], attrs as never).filter();
}

describe('conv2dFilterGradient (dW as one convolution)', () => {
  it.each([
    [[2, 9, 8, 5], [3, 3, 5, 4], 1, 1],
    [[1, 6, 7, 3], [1, 1, 3, 2], 0, 1],
    [[3, 10, 10, 4], [3, 3, 4, 6], 0, 1],
    [[2, 10, 8, 3], [3, 3, 3, 4], 1, 2],
    // Odd input, stride 2: the last padded row and column are never read.
    [[2, 11, 9, 2], [3, 3, 2, 5], 1, 2],
    [[1, 9, 9, 2], [3, 3, 2, 3], 0, 2],
    // Maps of 96² and more go in strips of 4 dy rows; these end in a shorter strip.
    [[1, 98, 97, 2], [3, 3, 2, 3], 1, 1],
    [[1, 99, 98, 1], [3, 3, 1, 2], 0, 1],
    [[1, 195, 194, 2], [3, 3, 2, 2], 1, 2],
  ] as const)('x %j, filter %j, padding %d, stride %d: equals the cpu backend\'s Conv2DBackpropFilter and wasm\'s', async (xShape, filterShape, padding, stride) => {
    const x = tf.randomNormal([...xShape], 0, 1, 'float32', 1);
    const [, h, w] = xShape;
    const out = (size: number, k: number) => Math.floor((size + 2 * padding - k) / stride) + 1;
    const dyShape = [xShape[0], out(h, filterShape[0]), out(w, filterShape[1]), filterShape[3]];
    const dy = tf.randomNormal(dyShape, 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const got = conv2dFilterGradient(x as Tensor4D, dy as Tensor4D, [...filterShape], padding, stride);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(got.shape).toEqual([...filterShape]);
    const values = await got.data();
    const wasmReference = compareToReference(await registeredFilterGradient(x, dy, [...filterShape], padding, stride).data(), values);
    expect(wasmReference.maxError / wasmReference.maxReference).toBeLessThan(1e-5);
    const [xv, dyv] = await Promise.all([x.data(), dy.data()]);
    await tf.setBackend('cpu');
    try {
      const reference = registeredFilterGradient(tf.tensor(xv, [...xShape]), tf.tensor(dyv, dyShape), [...filterShape], padding, stride);
      const cpu = compareToReference(await reference.data(), values);
      expect(cpu.maxError / cpu.maxReference).toBeLessThan(1e-5);
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('names the shapes when x and dy do not fit the filter', () => {
    expect(() => conv2dFilterGradient(tf.zeros([1, 5, 5, 2]) as Tensor4D, tf.zeros([1, 4, 5, 3]) as Tensor4D, [3, 3, 2, 3], 1)).toThrow(
      /x \[1,5,5,2\] and dy \[1,4,5,3\] do not fit a convolution with filter \[3,3,2,3\], stride 1×1 and padding 1/,
    );
  });
});
