/** Importing a state_dict with NaN/Inf weights is refused (naming keys and counts), or loaded and reported on request. */
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import type { TensorMap } from '@levit-unet/torch-io';
import { createLeViTUNet, exportStateDict, importCheckpoint, loadStateDict } from '../src/index.js';


let tf: Awaited<ReturnType<typeof useTfBackend>>;
let model: ReturnType<typeof createLeViTUNet>;
let cleanTensors: TensorMap;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels);
  model = createLeViTUNet({ variant: '128s', numClasses: 2, imgSize: 64 });
  cleanTensors = exportStateDict(model);
}, 120_000);

const KEY_NAN = 'cnn_b1.0.c.weight';
const KEY_INF = 'cnn_b1.0.bn.bias';

/** A state_dict exported from a model, with 3 NaNs in one tensor and 1 −Inf in another. */
function poisoned(): TensorMap {
  const tensors: TensorMap = new Map(cleanTensors);
  const nanWeight = tensors.get(KEY_NAN)!;
  const data = Float32Array.from(nanWeight.data as Float32Array);
  data[0] = NaN;
  data[5] = NaN;
  data[data.length - 1] = NaN;
  tensors.set(KEY_NAN, { ...nanWeight, data });
  const infBias = tensors.get(KEY_INF)!;
  const bias = Float32Array.from(infBias.data as Float32Array);
  bias[1] = -Infinity;
  tensors.set(KEY_INF, { ...infBias, data: bias });
  return tensors;
}

describe('non-finite weights on import', () => {
  it('refuses them with one line naming each key and its NaN/Inf counts, leaving the model unchanged', () => {
    const tensors = poisoned();
    const stem = () => model.getWeights().find((w) => w.shape.length === 4)!.dataSync().slice();
    const before = stem();
    const numTensors = tf.memory().numTensors;
    const size = tensors.get(KEY_NAN)!.data.length;
    const biasSize = tensors.get(KEY_INF)!.data.length;
    let message = '';
    try {
      loadStateDict(model, tensors, { source: 'nan.pth' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain(`nan.pth: cannot load into ${model.name}: non-finite weights (NaN/Inf) in 2 tensors: `);
    expect(message).toContain(`${KEY_NAN} (3 NaN of ${size})`);
    expect(message).toContain(`${KEY_INF} (1 Inf of ${biasSize})`);
    expect(() => importCheckpoint(model, tensors, { source: 'nan.pth' })).toThrow(/nan\.pth: .*non-finite weights/);
    expect(stem()).toEqual(before);
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('loads and reports them with allowNonFinite', () => {
    const report = loadStateDict(model, poisoned(), { allowNonFinite: true });
    expect(report.nonFinite.map(({ key, nan, infinite }) => [key, nan, infinite]).sort()).toEqual(
      [
        [KEY_INF, 0, 1],
        [KEY_NAN, 3, 0],
      ].sort(),
    );
    expect(Number.isNaN(exportStateDict(model).get(KEY_NAN)!.data[5])).toBe(true);
    const clean = loadStateDict(model, cleanTensors);
    expect(clean.nonFinite).toEqual([]);
  });
});
