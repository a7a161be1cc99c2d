import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfNamespace from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { createLeViTEncoder, createLeViTUNet } from '@levit-unet/levit-unet';
import { compareToReference } from '@levit-unet/test-utils';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { ConvEncoder, createUNet } from '@levit-unet/unet-decoder';
import { exportOnnx, summarizeOnnxModel } from '../src/index.js';
import { argmaxAgreement, nchwData, randomizeInferenceWeights, runOnnx, tfjsLogitsNchw } from './helpers.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels, 'wasm');
});

describe('LeViT-UNet-128s with random weights', () => {
  it('exports to ONNX whose logits match the tfjs model (NCHW, dynamic batch) and holds no BatchNorm', async () => {
    const model = createLeViTUNet({ variant: '128s', numClasses: 9 });
    randomizeInferenceWeights(tf, model);
    const x = tf.randomUniform([2, 224, 224, 1], 0, 1, 'float32', 7) as tfNamespace.Tensor4D;
    const reference = await tfjsLogitsNchw(tf, model, x);

    const tensorsBefore = tf.memory().numTensors;
    const bytes = exportOnnx(model);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    const summary = summarizeOnnxModel(bytes);
    expect(summary.inputs).toEqual([{ name: 'image', elemType: 'float32', shape: ['N', 1, 224, 224] }]);
    expect(summary.outputs).toEqual([{ name: 'logits', elemType: 'float32', shape: ['N', 9, 224, 224] }]);
    expect(summary.opset).toBe(17);
    // BatchNorm folded, HardSwish native, 11 attentions (9 + 2 shrink), 8 bilinear resizes.
    expect(summary.opCounts.BatchNormalization).toBeUndefined();
    expect(summary.opCounts.Softmax).toBe(11);
    expect(summary.opCounts.Resize).toBe(8);
    expect(summary.opCounts.Conv).toBe(4 + 6 + 1);
    console.info(`128s ONNX: ${summary.nodeCount} nodes ${JSON.stringify(summary.opCounts)}, ${(bytes.length / 2 ** 20).toFixed(1)} MiB`);

    const input = await nchwData(tf, x);
    const out = await runOnnx(bytes, input, [2, 1, 224, 224]);
    expect(out.dims).toEqual([2, 9, 224, 224]);
    const { maxError, maxReference } = compareToReference(reference, out.data as Float32Array);
    const agreement = argmaxAgreement(out.data as Float32Array, reference, 2, 9, 224 * 224);
    console.info(`128s random weights: max |onnx − tfjs| ${maxError.toExponential(3)} = ${(maxError / maxReference).toExponential(3)} · max |logit|; argmax agreement ${(100 * agreement).toFixed(4)} %`);
    expect(maxError).toBeLessThanOrEqual(1e-4 * maxReference);

    // The batch axis is dynamic: one image gives the first image's logits.
    const single = await runOnnx(bytes, input.subarray(0, 224 * 224), [1, 1, 224, 224]);
    expect(compareToReference(reference.subarray(0, 9 * 224 * 224), single.data as Float32Array).maxError).toBeLessThanOrEqual(1e-4 * maxReference);
    x.dispose();
    model.dispose();
  });
});

describe('swapped encoders (createUNet)', () => {
  it('ConvEncoder + LeViT-UNet decoder: stock Conv2D/BatchNormalization/ReLU/Add fold and match tfjs', async () => {
    const model = createUNet({ encoder: new ConvEncoder({ channels: [8, 16, 32, 64] }), inputShape: [64, 64, 1], numClasses: 4, decoderChannels: [32, 16, 8] });
    randomizeInferenceWeights(tf, model, 11);
    const classes = [...new Set(model.layers.map((l) => l.getClassName()))];
    expect(classes).toEqual(expect.arrayContaining(['Conv2D', 'BatchNormalization', 'ReLU', 'Add', 'Concatenate', 'LeViTUNetDecoderBlock']));
    const x = tf.randomUniform([3, 64, 64, 1], 0, 1, 'float32', 5) as tfNamespace.Tensor4D;
    const reference = await tfjsLogitsNchw(tf, model, x);
    const bytes = exportOnnx(model);
    const summary = summarizeOnnxModel(bytes);
    expect(summary.opCounts.BatchNormalization).toBeUndefined();
    expect(summary.opCounts.Mul).toBeUndefined(); // every BatchNorm folded into its Conv
    expect(summary.opCounts.Conv).toBe(4 * 3 + 3 * 2 + 1);
    const out = await runOnnx(bytes, await nchwData(tf, x), [3, 1, 64, 64]);
    expect(out.dims).toEqual([3, 4, 64, 64]);
    const { maxError, maxReference } = compareToReference(reference, out.data as Float32Array);
    console.info(`ConvEncoder UNet: max |onnx − tfjs| = ${(maxError / maxReference).toExponential(3)} · max |logit|`);
    expect(maxError).toBeLessThanOrEqual(1e-4 * maxReference);
    x.dispose();
    model.dispose();
  });

  it('LeViT encoder + slim decoder at 160², opset 18 (Resize by sizes), NHWC layout, probabilities and labels', async () => {
    // 160/16 = 10 tokens per side → 5 → 3; stage 3 upsampled to 12×12 is then resized to 10×10 (Resize by sizes at opset 18).
    const model = createUNet({ encoder: createLeViTEncoder({ variant: '128s', imgSize: 160 }), inputShape: [160, 160, 1], numClasses: 3, decoderChannels: [32, 16, 8] });
    randomizeInferenceWeights(tf, model, 21);
    const x = tf.randomUniform([2, 160, 160, 1], 0, 1, 'float32', 3) as tfNamespace.Tensor4D;
    const referenceNhwc = tf.tidy(() => model.predict(x) as tfNamespace.Tensor4D);
    const reference = (await referenceNhwc.data()) as Float32Array;
    const input = (await x.data()) as Float32Array;
    const maxReference = compareToReference(reference, reference).maxReference;

    const nhwc = exportOnnx(model, { layout: 'nhwc', opset: 18 });
    expect(summarizeOnnxModel(nhwc).inputs[0].shape).toEqual(['N', 160, 160, 1]);
    expect(summarizeOnnxModel(nhwc).opCounts.Resize).toBeGreaterThan(0);
    const logits = await runOnnx(nhwc, input, [2, 160, 160, 1]);
    expect(logits.dims).toEqual([2, 160, 160, 3]);
    const logitsError = compareToReference(reference, logits.data as Float32Array).maxError;
    console.info(`LeViT encoder 160² (10→5→3 tokens, 12→10 resize), opset 18, NHWC: max |onnx − tfjs| = ${(logitsError / maxReference).toExponential(3)} · max |logit|`);
    expect(logitsError).toBeLessThanOrEqual(1e-4 * maxReference);

    const probabilities = await runOnnx(exportOnnx(model, { layout: 'nhwc', output: 'probabilities' }), input, [2, 160, 160, 1]);
    const softmax = (await tf.softmax(referenceNhwc).data()) as Float32Array;
    expect(compareToReference(softmax, probabilities.data as Float32Array).maxError).toBeLessThanOrEqual(1e-5);

    const labelsModel = exportOnnx(model, { output: 'labels' });
    expect(summarizeOnnxModel(labelsModel).outputs).toEqual([{ name: 'labels', elemType: 'int64', shape: ['N', 160, 160] }]);
    const nchwInput = await nchwData(tf, x);
    const labels = await runOnnx(labelsModel, nchwInput, [2, 1, 160, 160]);
    const argmax = await tf.argMax(referenceNhwc, -1).data();
    let agree = 0;
    (labels.data as BigInt64Array).forEach((v, i) => (agree += Number(v) === argmax[i] ? 1 : 0));
    expect(agree / argmax.length).toBeGreaterThanOrEqual(0.999);
    tf.dispose([x, referenceNhwc]);
    model.dispose();
  });
});

describe('errors', () => {
  it('names the unsupported layer and its class, and bad options', () => {
    const input = tf.input({ shape: [32, 32, 1], name: 'image' });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c1' }).apply(input) as tfNamespace.SymbolicTensor;
    const lstmish = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'depthwise_7' }).apply(conv) as tfNamespace.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: lstmish });
    expect(() => exportOnnx(model)).toThrow(/layer "depthwise_7" of class DepthwiseConv2D has no ONNX converter; supported: .*Conv2D/);
    const ok = tf.model({ inputs: input, outputs: conv });
    expect(() => exportOnnx(ok, { opset: 13 })).toThrow(/opset must be an integer from 14 \(HardSwish\) to \d+, got 13/);
    expect(() => exportOnnx(ok, { layout: 'nwhc' as 'nhwc' })).toThrow(/layout must be 'nchw' or 'nhwc', got 'nwhc'/);
    model.dispose();
  });
});
