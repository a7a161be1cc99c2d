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
 * PyTorch float32 itself lands at (the fixture README's table), except where noted; the measured
 * values are in the comments.
 */
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
    expect(m.sampledDelta).toBeLessThan(3 * 5.7e-3);
    expect(m.wholeTensorLowerBound).toBeLessThan(3 * 8.3e-3);
    expect(m.runningSumRelative.median).toBeLessThan(3 * 6.4e-6);
    expect(m.runningVarRelative.median).toBeLessThan(1e-5);
    expect(m.runningVarRelative.max).toBeLessThan(1e-4);
    expect(m.numBatchesTracked).toEqual([2]);
  }, 300_000);
});
