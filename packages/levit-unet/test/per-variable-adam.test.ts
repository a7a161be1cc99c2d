import { beforeAll, describe, expect, it } from 'vitest';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { perVariableAdam } from '../bench/per-variable-adam.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels);
});

describe('perVariableAdam', () => {
  it('gives exactly tf.train.adam\'s weights and optimizer state over several steps, and peaks lower', async () => {
    const make = (tag: string) => [
      tf.variable(tf.randomNormal([40, 30], 0, 1, 'float32', 1), true, `w_${tag}`),
      tf.variable(tf.randomNormal([30], 0, 1, 'float32', 2), true, `b_${tag}`),
    ];
    const x = tf.randomNormal([16, 40], 0, 1, 'float32', 3);
    const loss = ([w, b]: Variable[]) => () => tf.mean(tf.square(tf.tanh(tf.add(tf.matMul(x, w), b)))) as Scalar;
    const reference = make('ref');
    const lean = make('lean');
    const adam = tf.train.adam(0.01, 0.8, 0.95);
    const ours = perVariableAdam(0.01, 0.8, 0.95);
    const peaks: number[][] = [[], []];
    for (let step = 0; step < 4; step++) {
      for (const [k, [opt, vars]] of ([[adam, reference], [ours, lean]] as const).entries()) {
        const before = tf.memory().numTensors;
        const profile = await tf.profile(() => tf.dispose(opt.minimize(loss(vars), true, vars) ?? []));
        if (step > 0) expect(tf.memory().numTensors).toBe(before);
        peaks[k].push(profile.peakBytes - profile.newBytes);
      }
    }
    for (let i = 0; i < 2; i++) expect(Array.from(await lean[i].data())).toEqual(Array.from(await reference[i].data()));
    const [refState, ourState] = await Promise.all([adam.getWeights(), ours.getWeights()]);
    expect(ourState.map((s) => s.name.replace('lean', 'ref'))).toEqual(refState.map((s) => s.name));
    for (let i = 0; i < refState.length; i++) {
      expect(Array.from(await (ourState[i].tensor as Tensor).data())).toEqual(Array.from(await (refState[i].tensor as Tensor).data()));
    }
    expect(ours.getConfig()).toEqual(adam.getConfig());
    expect(Math.max(...peaks[1].slice(1))).toBeLessThan(Math.max(...peaks[0].slice(1)));
  });
});
