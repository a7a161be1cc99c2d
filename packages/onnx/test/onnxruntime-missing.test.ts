import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as tfNamespace from '@tensorflow/tfjs';
import { ConvEncoder, createUNet } from '@levit-unet/unet-decoder';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { compareToReference } from '@levit-unet/test-utils';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { exportOnnx } from '../src/index.js';
import { createOnnxRuntimeEngine } from '../src/node/index.js';

// As if npm had dropped the optional onnxruntime-node (its install script could not download the CUDA files).
vi.mock('onnxruntime-node', () => {
  throw new Error("Cannot find package 'onnxruntime-node'");
});

const warnings: string[] = [];
const onWarning = (warning: Error & { code?: string }): void => {
  if (warning.code === 'LEVIT_ONNXRUNTIME_WASM') warnings.push(warning.message);
};
process.on('warning', onWarning);
afterAll(() => {
  process.off('warning', onWarning);
});

async function smallUNet(): Promise<{ bytes: Uint8Array; images: Float32Array; reference: Float32Array }> {
  const tf = await useTfBackend(registerWasmTrainingKernels, 'wasm');
  const model = createUNet({ encoder: new ConvEncoder({ channels: [4, 8] }), inputShape: [16, 16, 1], numClasses: 3, decoderChannels: [4] });
  const x = tf.randomUniform([2, 16, 16, 1], 0, 1, 'float32', 7) as tfNamespace.Tensor4D;
  const logits = model.predict(x) as tfNamespace.Tensor;
  const result = { bytes: exportOnnx(model), images: (await x.data()) as Float32Array, reference: (await logits.data()) as Float32Array };
  tf.dispose([x, logits]);
  model.dispose();
  return result;
}

describe('without onnxruntime-node', () => {
  it('createOnnxRuntimeEngine runs on onnxruntime-web (wasm), equal to tfjs, and says so once', async () => {
    const { bytes, images, reference } = await smallUNet();
    const engine = await createOnnxRuntimeEngine(bytes, { threads: 1 });
    const logits = await engine.predictLogits(images, 2);
    const { maxError, maxReference } = compareToReference(reference, logits);
    expect(maxError).toBeLessThanOrEqual(1e-4 * maxReference);
    await engine.dispose();
    await (await createOnnxRuntimeEngine(bytes, { threads: 1 })).dispose();
    await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on the next tick
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/onnxruntime-node is not installed.*onnxruntime-web.*npm install onnxruntime-node@[\d.]+ --onnxruntime-node-install=skip/);
  });

  it('a GPU device fails in one line naming onnxruntime-node', async () => {
    const { bytes } = await smallUNet();
    await expect(createOnnxRuntimeEngine(bytes, { device: 'webgpu' })).rejects.toThrow(/device webgpu needs onnxruntime-node.*npm install onnxruntime-node/);
  });

  it('with neither runtime, says which package to install', async () => {
    const { bytes } = await smallUNet();
    vi.resetModules();
    vi.doMock('onnxruntime-web', () => {
      throw new Error("Cannot find package 'onnxruntime-web'");
    });
    const fresh = await import('../src/node/index.js');
    await expect(fresh.createOnnxRuntimeEngine(bytes)).rejects.toThrow(/needs onnxruntime-node \(or onnxruntime-web\).*npm install onnxruntime-node/);
    vi.doUnmock('onnxruntime-web');
  });
});
