import { describe, expect, it } from 'vitest';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { NonFiniteLossError, TorchAdam, TorchSGD, trainableVariables, trainStep, trainStepAsync, type TrainBatch } from '../src/index.js';
import { referenceLoss } from './reference-loss.js';
import { seededUniform } from './seeded.js';
import { pixelLinearModel, tinyUNet } from './tiny-models.js';

const tf = await useTfBackend(registerWasmTrainingKernels);
const random = seededUniform(5);

function randomBatch(b: number, h: number, w: number, numClasses: number): TrainBatch {
  return {
    images: Float32Array.from({ length: b * h * w }, () => random()),
    labels: Int32Array.from({ length: b * h * w }, () => Math.floor(random() * numClasses)),
    labelShape: [b, h, w],
  };
}

describe('trainStep', () => {
  it('a per-pixel linear model: loss and SGD update equal the float64 closed form (finite-difference gradient)', () => {
    const C = 3;
    const kernel = [0.5, -1, 0.25];
    const bias = [0.1, 0, -0.2];
    const model = pixelLinearModel(C, kernel, bias);
    const batch = randomBatch(2, 3, 4, C);
    const lossAt = (k: number[], b: number[]) => {
      const logits = new Float64Array(batch.labels.length * C);
      batch.images.forEach((x, p) => {
        for (let c = 0; c < C; c++) logits[p * C + c] = x * k[c]! + b[c]!;
      });
      return referenceLoss(logits, batch.labels, C);
    };
    const params = [...kernel, ...bias];
    const gradient = params.map((_, i) => {
      const plus = [...params];
      const minus = [...params];
      plus[i]! += 1e-6;
      minus[i]! -= 1e-6;
      return (lossAt(plus.slice(0, C), plus.slice(C)).loss - lossAt(minus.slice(0, C), minus.slice(C)).loss) / 2e-6;
    });
    const optimizer = new TorchSGD(trainableVariables(model), { weightDecay: 0.01 });
    const result = trainStep(model, optimizer, batch, { lr: 0.5, numClasses: C });
    const ref = lossAt(kernel, bias);
    expect(result.loss).toBeCloseTo(ref.loss, 6);
    expect(result.ce).toBeCloseTo(ref.ce, 6);
    expect(result.dice).toBeCloseTo(ref.dice, 6);
    const [k1, b1] = model.getWeights().map((t) => Array.from(t.dataSync()));
    const updated = [...k1!, ...b1!];
    updated.forEach((value, i) => expect(value).toBeCloseTo(params[i]! - 0.5 * (gradient[i]! + 0.01 * params[i]!), 5));
    optimizer.dispose();
    model.dispose();
  });

  it('updates BatchNorm running statistics in the forward and reports gradient norms; no tensor leaks over steps', () => {
    const model = tinyUNet(32, 3);
    const optimizer = new TorchAdam(trainableVariables(model), { weightDecay: 1e-4 });
    const running = model.weights.find((w) => w.name.includes('running_mean'))!;
    const before = Array.from(running.read().dataSync());
    const batch = randomBatch(2, 32, 32, 3);
    const first = trainStep(model, optimizer, batch, { lr: 1e-3, numClasses: 3, gradNorms: true });
    expect(Array.from(running.read().dataSync())).not.toEqual(before);
    expect(first.gradNorms!.size).toBe(optimizer.variables.length);
    expect([...first.gradNorms!.values()].every((n) => Number.isFinite(n) && n >= 0)).toBe(true);
    const tensors = tf.memory().numTensors;
    let last = first.loss;
    for (let s = 0; s < 5; s++) last = trainStep(model, optimizer, batch, { lr: 1e-3, numClasses: 3 }).loss;
    expect(tf.memory().numTensors).toBe(tensors);
    expect(last).toBeLessThan(first.loss); // the same batch again: the loss must go down
    optimizer.dispose();
    model.dispose();
  });

  it('trainStepAsync (the read-back webgpu needs) gives trainStep\'s results and weights bit for bit, leaks nothing', async () => {
    const batch = randomBatch(2, 32, 32, 3);
    const runs = [];
    for (const step of [trainStep, trainStepAsync]) {
      const model = tinyUNet(32, 3);
      if (runs.length > 0) model.setWeights(runs[0]!.initial.map((w) => tf.tensor(w.values, w.shape)));
      const initial = model.getWeights().map((w) => ({ values: w.dataSync() as Float32Array, shape: w.shape }));
      const optimizer = new TorchAdam(trainableVariables(model), { weightDecay: 1e-4 });
      const tensors = tf.memory().numTensors;
      const results = [];
      for (let s = 0; s < 3; s++) results.push(await step(model, optimizer, batch, { lr: 1e-3, numClasses: 3, gradNorms: s === 2 }));
      expect(tf.memory().numTensors - tensors).toBe(2 * optimizer.variables.length); // the Adam moments, nothing else
      runs.push({ initial, results, weights: model.getWeights().map((w) => Array.from(w.dataSync())), state: await optimizer.readState(), sync: optimizer.getState() });
      optimizer.dispose();
      model.dispose();
    }
    const [sync, async] = runs;
    // The two models' variables have different names (tfjs numbers them): compare the norms in order.
    const plain = (results: Awaited<ReturnType<typeof trainStepAsync>>[]) => results.map((r) => ({ ...r, gradNorms: r.gradNorms && [...r.gradNorms.values()] }));
    expect(plain(async!.results)).toEqual(plain(sync!.results));
    expect(async!.weights).toEqual(sync!.weights);
    expect(sync!.results[2]!.gradNorms!.size).toBe(Object.keys(sync!.state.slots).length);
    // readState() reads what getState() reads.
    expect(async!.state).toEqual(async!.sync);
  });

  it('NaN in the data: NonFiniteLossError and the trainable weights stay as they were', () => {
    const model = pixelLinearModel(2, [1, 1], [0, 0]);
    const optimizer = new TorchSGD(trainableVariables(model));
    const batch = randomBatch(1, 2, 2, 2);
    batch.images[1] = NaN;
    const tensors = tf.memory().numTensors;
    expect(() => trainStep(model, optimizer, batch, { lr: 0.1, numClasses: 2 })).toThrow(NonFiniteLossError);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Array.from(model.getWeights()[0]!.dataSync())).toEqual([1, 1]);
    expect(optimizer.stepCount).toBe(0);
  });

  it('bad batches fail with one clear line', () => {
    const model = pixelLinearModel(2, [1, 1], [0, 0]);
    const optimizer = new TorchSGD(trainableVariables(model));
    const batch = randomBatch(1, 2, 2, 2);
    expect(() => trainStep(model, optimizer, { ...batch, labels: Int32Array.from([0, 1, 2, 0]) }, { lr: 0.1, numClasses: 2 })).toThrow(/label 2 at flat index 2/);
    expect(() => trainStep(model, optimizer, { ...batch, images: new Float32Array(3) }, { lr: 0.1, numClasses: 2 })).toThrow(/images hold 3 values/);
    expect(() => trainStep(model, optimizer, { ...batch, labelShape: [1, 2, 3] }, { lr: 0.1, numClasses: 2 })).toThrow(/labels hold 4 values/);
  });
});
