import { describe, expect, it } from 'vitest';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { transunetLoss } from '../src/index.js';
import { referenceLoss } from './reference-loss.js';
import { seededUniform } from './seeded.js';

const tf = await useTfBackend(registerWasmTrainingKernels);

function lossOf(logits: Float32Array, labels: Int32Array, shape: [number, number, number, number], weights?: [number, number]) {
  return tf.tidy(() => {
    const out = transunetLoss(tf.tensor4d(logits, shape), tf.tensor3d(labels, shape.slice(0, 3) as [number, number, number], 'int32'), shape[3], weights);
    return { loss: out.loss.dataSync()[0], ce: out.ce.dataSync()[0], dice: out.dice.dataSync()[0] };
  });
}

describe('transunetLoss', () => {
  it('uniform logits: ce = ln C and the closed-form Dice of p = 1/C, background included', () => {
    const [b, h, w, c] = [2, 2, 3, 4];
    const labels = Int32Array.from([0, 0, 1, 1, 1, 2, 0, 0, 0, 0, 1, 2]); // class 3 absent
    const got = lossOf(new Float32Array(b * h * w * c), labels, [b, h, w, c]);
    const n = labels.length;
    const counts = [6, 4, 2, 0]; // per class, over the whole batch
    const dice = counts.reduce((s, k) => s + 1 - (2 * k / c + 1e-5) / (n / (c * c) + k + 1e-5), 0) / c;
    expect(got.ce).toBeCloseTo(Math.log(c), 6);
    expect(got.dice).toBeCloseTo(dice, 6);
    expect(got.loss).toBeCloseTo(0.5 * Math.log(c) + 0.5 * dice, 6);
  });

  it('matches a float64 reference on random logits, with custom weights', () => {
    const random = seededUniform(7);
    const shape: [number, number, number, number] = [3, 5, 4, 6];
    const logits = Float32Array.from({ length: 3 * 5 * 4 * 6 }, () => (random() - 0.5) * 8);
    const labels = Int32Array.from({ length: 3 * 5 * 4 }, () => Math.floor(random() * 6));
    for (const weights of [[0.5, 0.5], [0.3, 0.7], [1, 0]] as Array<[number, number]>) {
      const got = lossOf(logits, labels, shape, weights);
      const ref = referenceLoss(logits, labels, 6, weights);
      expect(Math.abs(got.ce - ref.ce) / ref.ce).toBeLessThan(1e-6);
      expect(Math.abs(got.dice - ref.dice) / ref.dice).toBeLessThan(1e-6);
      expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-6);
    }
  });

  it('its gradient matches central differences of the float64 reference', () => {
    const random = seededUniform(11);
    const shape: [number, number, number, number] = [2, 3, 3, 3];
    const size = 2 * 3 * 3 * 3;
    const logits = Float32Array.from({ length: size }, () => (random() - 0.5) * 4);
    const labels = Int32Array.from({ length: 18 }, () => Math.floor(random() * 3));
    const grad = tf.tidy(() => {
      const y = tf.tensor3d(labels, [2, 3, 3], 'int32');
      const g = tf.grad((x: import('@tensorflow/tfjs').Tensor) => transunetLoss(x, y, 3).loss)(tf.tensor4d(logits, shape));
      return g.dataSync();
    });
    const step = 1e-4;
    for (let i = 0; i < size; i++) {
      const plus = Float64Array.from(logits);
      const minus = Float64Array.from(logits);
      plus[i] += step;
      minus[i] -= step;
      const numeric = (referenceLoss(plus, labels, 3).loss - referenceLoss(minus, labels, 3).loss) / (2 * step);
      expect(Math.abs(grad[i] - numeric)).toBeLessThan(1e-5 + 1e-3 * Math.abs(numeric));
    }
  });

  it('rejects mismatched shapes, float labels and bad weights with one clear line', () => {
    tf.tidy(() => {
      const x = tf.zeros([1, 2, 2, 3]);
      expect(() => transunetLoss(x, tf.zeros([1, 2, 3], 'int32'), 3)).toThrow(/labels must be \(B, H, W\)/);
      expect(() => transunetLoss(x, tf.zeros([1, 2, 2]), 3)).toThrow(/int32/);
      expect(() => transunetLoss(x, tf.zeros([1, 2, 2], 'int32'), 4)).toThrow(/NHWC/);
      expect(() => transunetLoss(x, tf.zeros([1, 2, 2], 'int32'), 3, [NaN, 1])).toThrow(/weights/);
    });
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([1, 4, 4, 3]);
    const y = tf.zeros([1, 4, 4], 'int32');
    const out = transunetLoss(x, y, 3);
    tf.dispose([x, y, out.loss, out.ce, out.dice]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
