import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfNamespace from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { compareToReference } from '@levit-unet/test-utils';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { ConvEncoder, createUNet } from '@levit-unet/unet-decoder';
import { exportOnnx } from '../src/index.js';
import { createOnnxRuntimeEngine, exportOnnxFile, probeTrainingDevice } from '../src/node/index.js';
import { randomizeInferenceWeights } from './helpers.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
let model: LayersModel;
let images: Float32Array;
let reference: Float32Array;
let maxReference: number;
const dir = mkdtempSync(join(tmpdir(), 'levit-onnx-'));

beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels, 'wasm');
  model = createUNet({ encoder: new ConvEncoder({ channels: [8, 16, 32, 64] }), inputShape: [64, 48, 1], numClasses: 5, decoderChannels: [32, 16, 8] });
  randomizeInferenceWeights(tf, model, 3);
  const x = tf.randomUniform([3, 64, 48, 1], 0, 1, 'float32', 9) as tfNamespace.Tensor4D;
  images = (await x.data()) as Float32Array;
  const logits = model.predict(x) as tfNamespace.Tensor;
  reference = (await logits.data()) as Float32Array;
  maxReference = compareToReference(reference, reference).maxReference;
  tf.dispose([x, logits]);
});

afterAll(() => {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('createOnnxRuntimeEngine', () => {
  it.each(['nchw', 'nhwc'] as const)('runs a %s export: (n, h, w) images → (n, h, w, K) logits equal to tfjs', async (layout) => {
    const engine = await createOnnxRuntimeEngine(exportOnnx(model, { layout }), { threads: 1 });
    expect(engine.name).toBe('onnxruntime');
    expect(engine.inputSize).toEqual([64, 48]);
    expect(engine.numClasses).toBe(5);
    expect(Object.keys(engine).sort()).toEqual(['dispose', 'inputSize', 'name', 'numClasses', 'predictLogits']);
    const logits = await engine.predictLogits(images, 3);
    expect(logits.length).toBe(3 * 64 * 48 * 5);
    expect(compareToReference(reference, logits).maxError).toBeLessThanOrEqual(1e-4 * maxReference);
    // A batch of one: the first image's logits.
    const first = await engine.predictLogits(images.subarray(0, 64 * 48), 1);
    expect(compareToReference(reference.subarray(0, 64 * 48 * 5), first).maxError).toBeLessThanOrEqual(1e-4 * maxReference);
    await engine.dispose();
  });

  it('opens a model file written by exportOnnxFile', async () => {
    const path = join(dir, 'unet.onnx');
    const size = await exportOnnxFile(model, path);
    expect(size).toBeGreaterThan(1000);
    const engine = await createOnnxRuntimeEngine(path);
    expect(compareToReference(reference, await engine.predictLogits(images, 3)).maxError).toBeLessThanOrEqual(1e-4 * maxReference);
    await engine.dispose();
  });

  it('refuses bad input with one clear line', async () => {
    const engine = await createOnnxRuntimeEngine(exportOnnx(model), { threads: 1 });
    await expect(engine.predictLogits(images.subarray(1), 3)).rejects.toThrow(/images must hold n·64·48 = 9216 values for n = 3, got 9215/);
    await engine.dispose();
    await expect(createOnnxRuntimeEngine(exportOnnx(model, { output: 'labels' }))).rejects.toThrow(/output "labels" must be float32 logits .* got int64 \[N,64,48\]/);
    await expect(createOnnxRuntimeEngine(exportOnnx(model), { inputSize: [32, 32] })).rejects.toThrow(/inputSize \[32,32\] disagrees with the model's input \[N,1,64,48\]/);
    await expect(createOnnxRuntimeEngine(new Uint8Array([1, 2, 3, 4]))).rejects.toThrow(/not an ONNX model/);
    await expect(createOnnxRuntimeEngine(join(dir, 'missing.onnx'))).rejects.toThrow(/ENOENT/);
  });

  it('runs on the device asked for; a provider that does not start is one line (CUDA: its libraries are not installed by this project)', async () => {
    const engine = await createOnnxRuntimeEngine(exportOnnx(model), { threads: 2, device: 'cpu' });
    const logits = await engine.predictLogits(images, 3);
    expect(compareToReference(reference, logits).maxError / maxReference).toBeLessThan(1e-5);
    await engine.dispose();
    if ((await probeTrainingDevice()) !== 'cuda') {
      await expect(createOnnxRuntimeEngine(exportOnnx(model), { device: 'cuda' })).rejects.toThrow(/^ONNX model bytes: the cuda execution provider did not start \(.*\); --device cpu runs on the CPU$/);
    }
  });
});
