import { describe, expect, it } from 'vitest';
import { sharedPath } from '@levit-unet/test-utils';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { createOnnxRuntimeTrainingEngine } from '../src/node/index.js';
import { runFidelity } from './fidelity-run.js';

const tf = await useTfBackend(registerWasmTrainingKernels);
const dir = sharedPath('fixtures/official/train-128s');
const engine = createOnnxRuntimeTrainingEngine({ threads: 2 });

/*
 * The onnxruntime engine on the float64 oracle of two official training steps. Bounds: 3× what
 * PyTorch float32 itself lands at (the fixture README's table), except where noted.
 *
 * SGD's sampled delta is the exception. It is dominated by the first convolution's filter
 * (`cnn_b1.0.c.weight`, a 1→16 3×3 conv over 2×224² pixels: long sums whose float32 rounding depends
 * on the CPU's kernel blocking), so it depends on the CPU, not only on correctness. PyTorch 1.13 float32
 * itself, rerun here on an AVX2 CPU by tools/torch-reference/fidelity_torch_float32.py (2026-12-07),
 * lands at 3.8e-2 with 2 threads and 1.3e-2 with 1 (the README's 5.7e-3 comes from the CPU the fixture was made on);
 * this engine lands at 2.1e-2 on AVX2 (below 3 × 5.7e-3 on the AVX-512 machine this project ran on before). The bound is PyTorch's own AVX2 figure.
 */
/** PyTorch float32's SGD sampled delta on an AVX2 CPU with 2 threads (see above). */
const TORCH_FLOAT32_SGD_SAMPLED_DELTA_AVX2 = 3.8e-2;
describe.skipIf(!dir)('onnxruntime engine: two TransUNet training steps of the official LeViT-UNet-128s (train-128s fixture)', () => {
  it('Adam (lr 1e-4, coupled weight decay 1e-4)', async () => {
    const m = await runFidelity(tf, dir!, 'adam', { name: 'adam', weightDecay: 1e-4 }, 1e-4, engine);
    console.log('onnxruntime adam fidelity', JSON.stringify(m));
    expect(m.engine).toBe('onnxruntime');
    expect(m.lossRelative[0]).toBeLessThan(3 * 2.7e-8);
    expect(m.lossRelative[1]).toBeLessThan(3 * 2.5e-5);
    expect(m.gradNormRelative.median).toBeLessThan(2e-3);
    expect(m.gradNormRelative.max).toBeLessThan(3e-2);
    expect(m.gradNormWhereRefZero).toBe(0);
    expect(m.deltaNormRelative.median).toBeLessThan(3 * 2.3e-4);
    expect(m.deltaNormRelative.p90).toBeLessThan(3 * 1.1e-3);
    expect(m.deltaNormRelative.max).toBeLessThan(3 * 2.4e-3);
    expect(m.sampledDelta).toBeLessThan(3 * 6.6e-3);
    expect(m.wholeTensorLowerBound).toBeLessThan(3 * 1.6e-2);
    expect(m.runningSumRelative.median).toBeLessThan(3 * 1.8e-6);
    expect(m.runningVarRelative.median).toBeLessThan(1e-5);
    expect(m.runningVarRelative.max).toBeLessThan(1e-4);
    expect(m.numBatchesTracked).toEqual([2]);
    expect(m.comparedTensors).toBe(181);
  }, 300_000);

  it('SGD (lr 1e-3, momentum 0.9, coupled weight decay 1e-4)', async () => {
    const m = await runFidelity(tf, dir!, 'sgd', { name: 'sgd', momentum: 0.9, weightDecay: 1e-4 }, 1e-3, engine);
    console.log('onnxruntime sgd fidelity', JSON.stringify(m));
    expect(m.lossRelative[0]).toBeLessThan(3 * 2.7e-8);
    expect(m.lossRelative[1]).toBeLessThan(3 * 9.2e-6);
    expect(m.gradNormRelative.median).toBeLessThan(2e-3);
    expect(m.gradNormRelative.max).toBeLessThan(3e-2);
    expect(m.gradNormWhereRefZero).toBe(0);
    expect(m.deltaNormRelative.median).toBeLessThan(3 * 2.3e-3);
    expect(m.deltaNormRelative.p90).toBeLessThan(3 * 2.8e-2);
    expect(m.deltaNormRelative.max).toBeLessThan(3 * 5.5e-2);
    expect(m.sampledDelta).toBeLessThan(TORCH_FLOAT32_SGD_SAMPLED_DELTA_AVX2);
    expect(m.wholeTensorLowerBound).toBeLessThan(3 * 8.3e-3);
    expect(m.runningSumRelative.median).toBeLessThan(3 * 6.4e-6);
    expect(m.runningVarRelative.median).toBeLessThan(1e-5);
    expect(m.runningVarRelative.max).toBeLessThan(1e-4);
    expect(m.numBatchesTracked).toEqual([2]);
  }, 300_000);
});
