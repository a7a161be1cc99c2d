import { describe, expect, it, vi } from 'vitest';
import { ConvEncoder, createUNet } from '@levit-unet/unet-decoder';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { exportOnnx } from '../src/index.js';
import { createOnnxRuntimeEngine } from '../src/node/index.js';

// As if the optional peer dependency were not installed.
vi.mock('onnxruntime-node', () => {
  throw new Error("Cannot find package 'onnxruntime-node'");
});

describe('without onnxruntime-node', () => {
  it('createOnnxRuntimeEngine says which package to install', async () => {
    await useTfBackend(registerWasmTrainingKernels, 'wasm');
    const model = createUNet({ encoder: new ConvEncoder({ channels: [4, 8] }), inputShape: [16, 16, 1], numClasses: 2, decoderChannels: [4] });
    const bytes = exportOnnx(model);
    model.dispose();
    await expect(createOnnxRuntimeEngine(bytes)).rejects.toThrow(/needs the optional peer dependency onnxruntime-node.*npm install onnxruntime-node/);
  });
});
