import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { LeViTHardswish, LeViTResidual, LeViTResizeBilinear, seedDropPath } from '../src/index.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend();
});

describe('Residual', () => {
  it('is x + m(x) at inference, whatever the drop-path rate', async () => {
    const layer = new LeViTResidual({ dropPath: 0.5 });
    const x = tf.randomNormal([64, 3, 2]);
    const b = tf.randomNormal([64, 3, 2]);
    const y = layer.apply([x, b]) as Tensor;
    expect(Array.from(await y.data())).toEqual(Array.from(await tf.add(x, b).data()));
  });

  it('drops whole samples in training and rescales the kept ones by 1/(1 − p)', async () => {
    const p = 0.25;
    const layer = new LeViTResidual({ dropPath: p });
    const n = 4000;
    const x = tf.zeros([n, 2, 3]);
    const b = tf.ones([n, 2, 3]);
    const y = await (layer.apply([x, b], { training: true }) as Tensor).array() as number[][][];
    let kept = 0;
    for (const sample of y) {
      const values = sample.flat();
      // one decision per sample: all entries equal, either 0 or 1/(1 − p)
      expect(new Set(values.map((v) => v.toFixed(5))).size).toBe(1);
      if (values[0] !== 0) {
        expect(values[0]).toBeCloseTo(1 / (1 - p), 5);
        kept++;
      }
    }
    // Binomial(4000, 0.75): mean 3000, sd ≈ 27; ±6 sd
    expect(Math.abs(kept - 3000)).toBeLessThan(165);
  });

  it('draws its keep masks from the stream seedDropPath gives it, one number per sample in layer order', async () => {
    const p = 0.3;
    const input = tf.input({ shape: [2] });
    const branch = tf.layers.dense({ units: 2, kernelInitializer: 'ones', name: 'branch' }).apply(input) as SymbolicTensor;
    const first = new LeViTResidual({ dropPath: p }).apply([input, branch]) as SymbolicTensor;
    const second = new LeViTResidual({ dropPath: p }).apply([first, branch]) as SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: second });
    // Known numbers: samples 0..5 of the first layer, then of the second.
    const numbers = [0.1, 0.9, 0.5, 0.2, 0.31, 0.29, 0.7, 0.05, 0.3, 0.6, 0.0, 0.99];
    let k = 0;
    expect(seedDropPath(model, () => numbers[k++]!)).toBe(2);
    const ones = tf.ones([6, 2]);
    const y = (model.apply(ones, { training: true }) as Tensor).arraySync() as number[][];
    expect(k).toBe(12);
    const keep = (u: number) => (u >= p ? 1 / (1 - p) : 0);
    // branch(ones) = 2 per unit; first = 1 + 2·m1, second = first + 2·m2.
    y.forEach((row, n) => row.forEach((v) => expect(v).toBeCloseTo(1 + 2 * keep(numbers[n]!) + 2 * keep(numbers[6 + n]!), 5)));
    seedDropPath(model, null);
    model.apply(ones, { training: true });
    expect(k).toBe(12); // unseeded again: the stream is no longer read
  });

  it('rejects a drop-path rate outside [0, 1)', () => {
    expect(() => new LeViTResidual({ dropPath: 1 })).toThrow(/\[0, 1\)/);
  });
});

describe('Hardswish', () => {
  it('is x·relu6(x + 3)/6', async () => {
    const x = tf.tensor1d([-4, -3, -1.5, 0, 1, 3, 5]);
    const y = await (new LeViTHardswish().apply(x) as Tensor).data();
    const ref = [0, 0, -0.375, 0, 4 / 6, 3, 5];
    ref.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
  });
});

describe('ResizeBilinear', () => {
  it('upsamples with align_corners=True: corners kept, src = dst·(in − 1)/(out − 1)', async () => {
    const x = tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]);
    const y = await (new LeViTResizeBilinear({ scale: 2 }).apply(x) as Tensor).data();
    // out 4 from in 2: positions 0, 1/3, 2/3, 1 along each axis; value = 2·row + col
    const pos = [0, 1 / 3, 2 / 3, 1];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(y[r * 4 + c]).toBeCloseTo(2 * pos[r] + pos[c], 5);
  });

  it('resizes to a fixed size (16 → 14 as the stage-3 map)', async () => {
    const y = new LeViTResizeBilinear({ size: [14, 14] }).apply(tf.zeros([1, 16, 16, 3])) as Tensor;
    expect(y.shape).toEqual([1, 14, 14, 3]);
    expect(() => new LeViTResizeBilinear({})).toThrow(/exactly one of size or scale/);
  });
});
