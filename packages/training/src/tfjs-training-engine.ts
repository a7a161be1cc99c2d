import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@levit-unet/datasets';
import { seedDropPath } from '@levit-unet/levit-unet';
import { createOptimizer } from './optimizer-config.js';
import type { TrainingEngineFactory } from './training-engine.js';
import { trainStepAsync } from './train-step.js';

/**
 * Trains the model's own variables with `trainStepAsync` and a PyTorch-style optimizer, so the model
 * always holds the current values (`syncModel` has nothing to do). Shapes are dynamic: `batchSize` and
 * `imageSize` are not needed. A step's `seed` seeds its drop-path masks (the model's `LeViTResidual`s).
 */
export const createTfjsTrainingEngine: TrainingEngineFactory = async ({ model, optimizer: config, numClasses, lossWeights, variables }) => {
  const optimizer = createOptimizer(config, variables);
  return {
    name: 'tfjs',
    device: tf.getBackend(),
    // The asynchronous read-back works on every backend (webgpu in Node cannot read synchronously).
    step: (batch, { lr, gradNorms, seed }) => {
      if (seed !== undefined) seedDropPath(model, SeededRandom.stream(seed));
      return trainStepAsync(model, optimizer, batch, { lr, numClasses, lossWeights, ...(gradNorms ? { gradNorms } : {}) });
    },
    syncModel: async () => undefined,
    readOptimizerState: () => optimizer.readState(),
    setOptimizerState: (state) => optimizer.setState(state),
    dispose: () => {
      seedDropPath(model, null);
      optimizer.dispose();
    },
  };
};
