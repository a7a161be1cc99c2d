import { beforeAll } from 'vitest';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { encoderConformance } from '@levit-unet/test-utils/encoder-conformance';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { createUNet } from '@levit-unet/unet-decoder';
import { createLeViTEncoder, LEVIT_UNET_VARIANTS } from '../src/index.js';

beforeAll(async () => {
  await useTfBackend(registerWasmTrainingKernels);
});

// 96×96 (stage grids 6, 3, 2: every attention has more than one key) keeps the training step quick; the encoder is the same code at every size that is a multiple of 32.
for (const variant of LEVIT_UNET_VARIANTS) {
  encoderConformance(`LeViTEncoder ${variant}`, {
    // dropPath 0: 384's drop-path 0.1 drops a residual branch for both samples of the batch-2 step now and then
    // (P ≈ 0.2 over its blocks), and a dropped branch rightly gets no gradient; drop-path has its own tests.
    makeEncoder: () => createLeViTEncoder({ variant, imgSize: 96, dropPath: 0 }),
    inputShape: [96, 96, 1],
    unsupported: { inputShape: [64, 64, 1], message: /encoder built for 96×96 inputs got input shape \[,64,64,1\]/ },
    createUNet: (options) => createUNet(options as Parameters<typeof createUNet>[0]),
  });
}
