/**
 * `train --lr 1e300 --max-steps 1` used to finish with exit 0 and a last/ of all-NaN weights: the loss is
 * checked before each update, the weights never. Now every save checks weights and optimizer state.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { createTfjsTrainingEngine, type TrainingEngineFactory } from '../src/index.js';
import { findNonFiniteOptimizerState } from '../src/non-finite-weights.js';
import { train } from '../src/node/index.js';
import { syntheticSynapseRuns } from './synthetic-run-data.js';
import { tinyUNet } from './tiny-models.js';

const tf = await useTfBackend(registerWasmTrainingKernels);
const fixture = syntheticSynapseRuns('levit-non-finite-update-');

describe('a non-finite update', () => {
  it('lr 1e300: stops at the first save naming the iteration and the rate; no last/ is written', async () => {
    const runDir = join(fixture.tmp, 'huge-lr');
    const run = train({ runDir, model: () => tinyUNet(32, 9), data: fixture.data, numClasses: 9, optimizer: { name: 'sgd' }, lr: 1e300, batchSize: 2, maxSteps: 1 });
    await expect(run).rejects.toThrow(/^train: non-finite weights: \d+ of \d+ values in \d+ tensors \(first: .+\) after the update at iteration 1 \(lr 1e\+300\); training stopped, no last\/ was written/);
    expect(existsSync(join(runDir, 'last'))).toBe(false);
  }, 120_000);

  it('one the loss cannot see (after the last step of epoch 2) keeps last/ at epoch 1', async () => {
    const runDir = join(fixture.tmp, 'poisoned');
    // The tfjs engine trains the model's own variables; after step 4 one weight becomes NaN.
    const poisoning: TrainingEngineFactory = async (options) => {
      const engine = await createTfjsTrainingEngine(options);
      let steps = 0;
      return {
        ...engine,
        name: engine.name,
        device: engine.device,
        step: async (batch, stepOptions) => {
          const result = await engine.step(batch, stepOptions);
          if (++steps === 4) {
            const v = options.variables[0]!;
            v.assign(tf.fill(v.shape, NaN));
          }
          return result;
        },
        syncModel: () => engine.syncModel(),
        readOptimizerState: () => engine.readOptimizerState(),
        setOptimizerState: (s) => engine.setOptimizerState(s),
        dispose: () => engine.dispose(),
      };
    };
    // 8 slices at batch 4: 2 iterations per epoch, last/ after each epoch.
    const run = train({ runDir, engine: poisoning, model: () => tinyUNet(32, 9), data: fixture.data, numClasses: 9, optimizer: { name: 'adam' }, lr: 1e-3, batchSize: 4, epochs: 3 });
    await expect(run).rejects.toThrow(/non-finite weights: .* after the update at iteration 4 \(lr 0\.001\); training stopped, last\/ keeps iteration 2/);
    const state = JSON.parse(await readFile(join(runDir, 'last', 'training-state.json'), 'utf8'));
    expect(state).toMatchObject({ iteration: 2, epoch: 1, completed: false });
  }, 120_000);

  it('optimizer moments are checked as well', () => {
    const state = { kind: 'adam' as const, step: 1, slots: { w: { step: 1, buffers: { exp_avg: new Float32Array([0, Infinity, NaN]), exp_avg_sq: new Float32Array(3) } } } };
    expect(findNonFiniteOptimizerState(state)).toEqual([{ name: 'w/exp_avg', count: 2, size: 3 }]);
  });
});
