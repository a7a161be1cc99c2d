import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { importCheckpointFile } from '@levit-unet/levit-unet/node';
import { compareToReference, readNpy, sharedPath } from '@levit-unet/test-utils';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { exportOnnx } from '../src/index.js';
import { argmaxAgreement, runOnnx } from './helpers.js';

beforeAll(async () => {
  await useTfBackend(registerWasmTrainingKernels, 'wasm');
});

// The official PyTorch LeViT-UNet's float64 logits on its own checkpoint (see ../shared/fixtures/official/README.md).
const fixtures = {
  '128s': sharedPath('fixtures/official/128s'),
  '192': sharedPath('fixtures/official/192'),
} as const;

describe.each(Object.entries(fixtures))('official LeViT-UNet-%s checkpoint → ONNX', (variant, dir) => {
  it.skipIf(!dir)('runs in onnxruntime-node with the official float64 logits (NCHW, same input)', async () => {
    const { model } = await importCheckpointFile(join(dir!, 'state_dict_fp16.pth.gz'), { variant: variant as '128s' | '192', numClasses: 9 });
    const bytes = exportOnnx(model);
    model.dispose();
    const input = readNpy(join(dir!, 'input.npy'));
    const reference = readNpy(join(dir!, 'output.npy'));
    expect(input.shape).toEqual([2, 1, 224, 224]);
    const out = await runOnnx(bytes, input.data as Float32Array, input.shape);
    expect(out.dims).toEqual(reference.shape);
    const ref = reference.data as Float32Array;
    const { maxError, maxReference } = compareToReference(ref, out.data as Float32Array);
    const agreement = argmaxAgreement(out.data as Float32Array, ref, 2, 9, 224 * 224);
    console.info(`official ${variant} → ONNX: max |Δ| ${maxError.toExponential(3)} = ${(maxError / maxReference).toExponential(3)} · max |logit|; argmax agreement ${(100 * agreement).toFixed(4)} %`);
    expect(maxError).toBeLessThanOrEqual(1e-4 * maxReference);
    expect(agreement).toBeGreaterThanOrEqual(0.9999);
  });
});
