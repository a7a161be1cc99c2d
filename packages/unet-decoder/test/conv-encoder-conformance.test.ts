import { beforeAll } from 'vitest';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { encoderConformance } from '@levit-unet/test-utils/encoder-conformance';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { ConvEncoder, createUNet } from '../src/index.js';

beforeAll(async () => {
  await useTfBackend(registerWasmTrainingKernels);
});

encoderConformance('ConvEncoder', {
  makeEncoder: () => new ConvEncoder({ channels: [8, 16, 32, 64] }),
  inputShape: [32, 32, 1],
  unsupported: { inputShape: [40, 40, 1], message: /multiples of the encoder's coarsest stride 16, got \[40,40,1\]/ },
  createUNet: (options) => createUNet(options as Parameters<typeof createUNet>[0]),
});
