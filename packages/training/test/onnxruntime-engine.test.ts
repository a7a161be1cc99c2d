/**
 * The onnxruntime engine against the tfjs engine on the same weights and batches: every layer kind the
 * training graph converts (LeViT blocks, the UNet decoder, stock tfjs Conv2D/BatchNormalization/ReLU/Add
 * of ConvEncoder), both BatchNorm gradient formulations, Adam and SGD, a smaller last batch, resume of the
 * optimizer state and what an unsupported layer says.
 */
import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { createLeViTUNet } from '@levit-unet/levit-unet';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { createTfjsTrainingEngine, trainableVariables, type OptimizerConfig, type OptimizerState, type TrainBatch, type TrainingEngine, type TrainingEngineFactory } from '../src/index.js';
import { createOnnxRuntimeTrainingEngine } from '../src/node/index.js';
import { seededUniform } from './seeded.js';
import { tinyUNet } from './tiny-models.js';

// tfjs's cpu backend: its reductions accumulate in float64, so it is the sharper reference (wasm sums in float32).
const tf = await useTfBackend(registerWasmTrainingKernels, 'cpu');

function batchOf(n: number, size: number, classes: number, seed: number): TrainBatch {
  const random = seededUniform(seed);
  const labels = Int32Array.from({ length: n * size * size }, (_, i) => (Math.floor((i % size) / (size / classes)) + (random() < 0.1 ? 1 : 0)) % classes);
  const images = Float32Array.from(labels, (l) => l / classes + 0.2 * random());
  return { images, labels, labelShape: [n, size, size] };
}

/** Reproducible weights: tfjs's initialisers are not seeded; each kernel gets seeded uniform values in ±1/√fan_in (PyTorch's default scale). */
function seeded(model: LayersModel, seed: number): LayersModel {
  tf.tidy(() => {
    model.trainableWeights.forEach((w, k) => {
      if (w.shape.length < 2) return; // BatchNorm γ (1 or LeViT's 0) and β, biases: keep
      const fanIn = (w.shape as number[]).slice(0, -1).reduce((a, b) => a * b, 1);
      const scale = 1 / Math.sqrt(fanIn);
      w.write(tf.randomUniform(w.shape as number[], -scale, scale, 'float32', seed + k));
    });
  });
  return model;
}

/** A second model with the same weights (and BatchNorm statistics) as `model`. */
function twin(make: () => LayersModel, model: LayersModel): LayersModel {
  const other = make();
  other.setWeights(model.getWeights());
  return other;
}

async function engineOn(factory: TrainingEngineFactory, model: LayersModel, optimizer: OptimizerConfig, batchSize: number, size: number, classes: number): Promise<TrainingEngine> {
  return factory({ model, optimizer, numClasses: classes, lossWeights: [0.5, 0.5], batchSize, imageSize: [size, size], variables: trainableVariables(model) });
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

const snapshot = (model: LayersModel) => model.weights.map((w) => Float32Array.from(w.read().dataSync()));

/**
 * ‖Δa − Δb‖ / ‖Δb‖ over every weight and BatchNorm statistic, Δ = the change from `initial`: how far
 * the onnxruntime update is from the tfjs one, relative to the update's size.
 */
function updateError(a: LayersModel, b: LayersModel, initial: Float32Array[]): number {
  let num = 0;
  let den = 0;
  a.weights.forEach((w, k) => {
    if (w.dtype !== 'float32') return;
    const x = w.read().dataSync();
    const y = b.weights[k]!.read().dataSync();
    const x0 = initial[k]!;
    for (let i = 0; i < x.length; i++) {
      num += (x[i]! - y[i]!) ** 2;
      den += (y[i]! - x0[i]!) ** 2;
    }
  });
  return Math.sqrt(num / den);
}

/** The same state keyed by another model's variable names (trainable order): as resume maps a run's file. */
function renamed(state: OptimizerState, from: LayersModel, to: LayersModel): OptimizerState {
  const names = new Map(trainableVariables(from).map((v, i) => [v.name, trainableVariables(to)[i]!.name]));
  return { ...state, slots: Object.fromEntries(Object.entries(state.slots).map(([name, slot]) => [names.get(name)!, slot])) };
}

async function compareEngines(make: () => LayersModel, options: { optimizer: OptimizerConfig; size: number; classes: number; batches: TrainBatch[]; lr: number; onnx?: TrainingEngineFactory }) {
  const reference = make();
  const trained = twin(make, reference);
  const initial = snapshot(reference);
  const names = trainableVariables(trained).map((v) => v.name);
  const batchSize = options.batches[0]!.labelShape[0];
  const tfjsEngine = await engineOn(createTfjsTrainingEngine, reference, options.optimizer, batchSize, options.size, options.classes);
  const onnxEngine = await engineOn(options.onnx ?? createOnnxRuntimeTrainingEngine({ threads: 2 }), trained, options.optimizer, batchSize, options.size, options.classes);
  const losses: Array<[number, number]> = [];
  const gradNorms: number[] = [];
  for (const [k, batch] of options.batches.entries()) {
    const a = await tfjsEngine.step(batch, { lr: options.lr, gradNorms: k === 0 });
    const b = await onnxEngine.step(batch, { lr: options.lr, gradNorms: k === 0 });
    losses.push([b.loss, a.loss]);
    if (k === 0) trainableVariables(reference).forEach((v, i) => a.gradNorms!.get(v.name)! > 1e-6 && gradNorms.push(relative(b.gradNorms!.get(names[i]!)!, a.gradNorms!.get(v.name)!)));
  }
  await onnxEngine.syncModel();
  const weights = updateError(trained, reference, initial);
  const optimizerState = [await onnxEngine.readOptimizerState(), await tfjsEngine.readOptimizerState()] as const;
  await onnxEngine.dispose();
  await tfjsEngine.dispose();
  reference.dispose();
  trained.dispose();
  gradNorms.sort((x, y) => x - y);
  return { losses, gradNormMedian: gradNorms[Math.floor(gradNorms.length / 2)]!, gradNormMax: gradNorms[gradNorms.length - 1]!, weights, optimizerState };
}

describe('onnxruntime training engine vs the tfjs engine', () => {
  it('ConvEncoder UNet (stock Conv2D same/stride 2, BatchNormalization, ReLU, Add), Adam, with a smaller last batch', async () => {
    const size = 32;
    const batches = [batchOf(3, size, 3, 1), batchOf(3, size, 3, 2), batchOf(2, size, 3, 3)];
    const m = await compareEngines(() => seeded(tinyUNet(size, 3), 3), { optimizer: { name: 'adam', weightDecay: 1e-4 }, size, classes: 3, batches, lr: 1e-3 });
    console.log('ConvEncoder UNet', JSON.stringify(m.losses), m.gradNormMedian, m.gradNormMax, m.weights);
    for (const [ours, ref] of m.losses) expect(relative(ours, ref)).toBeLessThan(1e-4);
    expect(m.gradNormMedian).toBeLessThan(1e-4);
    expect(m.gradNormMax).toBeLessThan(1e-2);
    expect(m.weights).toBeLessThan(1e-3);
    expect(m.optimizerState[0].step).toBe(3);
  }, 120_000);

  for (const batchNorm of ['fused', 'elementwise'] as const) {
    it(`LeViT-UNet-128s at 64² (every LeViT block, decoder, head), SGD with momentum, BatchNorm gradient ${batchNorm}`, async () => {
      const size = 64;
      const make = () => seeded(createLeViTUNet({ variant: '128s', numClasses: 4, imgSize: size, decoderChannels: [32, 16, 8] }), 11);
      // Two steps with the fused gradient (the default); one suffices for the elementwise one (tfjs's cpu backend is slow).
      const batches = batchNorm === 'fused' ? [batchOf(4, size, 4, 4), batchOf(4, size, 4, 5)] : [batchOf(4, size, 4, 4)];
      const onnx = createOnnxRuntimeTrainingEngine({ threads: 2, formulations: { batchNorm } });
      const m = await compareEngines(make, { optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 1e-4 }, size, classes: 4, batches, lr: 1e-3, onnx });
      console.log(`LeViT-UNet 64 ${batchNorm}`, JSON.stringify(m.losses), m.gradNormMedian, m.gradNormMax, m.weights);
      for (const [ours, ref] of m.losses) expect(relative(ours, ref)).toBeLessThan(1e-4);
      // The elementwise chain computes dx − mean(dx) along separate paths and cancels more: it measured up
      // to 2.9e-4 median on some (unseeded) initialisations, where the closed form stayed below 1e-5.
      expect(m.gradNormMedian).toBeLessThan(batchNorm === 'fused' ? 5e-5 : 1e-3);
      expect(m.gradNormMax).toBeLessThan(1e-2);
      expect(m.weights).toBeLessThan(1e-3);
    }, 240_000);
  }

  it('resumes: the optimizer state of one engine continues in the other', async () => {
    const size = 32;
    const model = tinyUNet(size, 3);
    const optimizer: OptimizerConfig = { name: 'adam', weightDecay: 1e-4 };
    const tfjsEngine = await engineOn(createTfjsTrainingEngine, model, optimizer, 2, size, 3);
    await tfjsEngine.step(batchOf(2, size, 3, 7), { lr: 1e-3 });
    const resumedModel = twin(() => tinyUNet(size, 3), model);
    const initial = snapshot(model);
    const onnxEngine = await engineOn(createOnnxRuntimeTrainingEngine({ threads: 2 }), resumedModel, optimizer, 2, size, 3);
    onnxEngine.setOptimizerState(renamed(await tfjsEngine.readOptimizerState(), model, resumedModel));
    const next = batchOf(2, size, 3, 8);
    const a = await tfjsEngine.step(next, { lr: 1e-3 });
    const b = await onnxEngine.step(next, { lr: 1e-3 });
    await onnxEngine.syncModel();
    expect(relative(b.loss, a.loss)).toBeLessThan(1e-4);
    expect(updateError(resumedModel, model, initial)).toBeLessThan(1e-3);
    expect((await onnxEngine.readOptimizerState()).step).toBe(2);
    await onnxEngine.dispose();
    await tfjsEngine.dispose();
    model.dispose();
    resumedModel.dispose();
  }, 120_000);

  it('an unsupported layer is one error naming it, its class and --engine tfjs', async () => {
    const input = tf.input({ shape: [8, 8, 1] });
    const pooled = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(input) as SymbolicTensor;
    const logits = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'head' }).apply(tf.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(pooled) as SymbolicTensor) as SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: logits });
    await expect(engineOn(createOnnxRuntimeTrainingEngine(), model, { name: 'adam' }, 2, 8, 2)).rejects.toThrow(
      /cannot train layer "pool" of class MaxPooling2D \(nor 1 more: UpSampling2D\); --engine tfjs trains it/,
    );
    model.dispose();
  });
});
