import type { GradientFormulations } from '@levit-unet/onnx';
import { createOnnxRuntimeTrainer, type TrainingDevice } from '@levit-unet/onnx/node';
import { SeededRandom } from '@levit-unet/datasets';
import { NonFiniteLossError } from '../non-finite-loss-error.js';
import type { TrainingEngineFactory } from '../training-engine.js';

/** Options of `createOnnxRuntimeTrainingEngine`. */
export interface OnnxRuntimeTrainingEngineOptions {
  /** Intra-op threads; default every core. */
  threads?: number;
  /** onnxruntime execution provider; default 'cpu'. */
  device?: TrainingDevice;
  /** Seed of the drop-path masks of steps given no seed of their own (default 0; a run gives each step `stepSeed(seed, iteration)`). */
  seed?: number;
  /** Gradient formulations (default: the fastest measured; see @levit-unet/onnx's README). */
  formulations?: Partial<GradientFormulations>;
}

/**
 * The onnxruntime training engine: the model's whole training iteration as one ONNX graph
 * (`buildTrainingGraph` of @levit-unet/onnx) run by onnxruntime-node's native kernels. The weights live
 * in the engine between steps; `syncModel()` writes them into the tfjs model. A non-finite loss
 * discards that step's update (the graph computes loss and update together) and throws NonFiniteLossError.
 */
export function createOnnxRuntimeTrainingEngine(engineOptions: OnnxRuntimeTrainingEngineOptions = {}): TrainingEngineFactory {
  return async ({ model, optimizer, lossWeights, batchSize }) => {
    const { seed, ...rest } = engineOptions;
    let random = SeededRandom.stream(seed ?? 0);
    const trainer = await createOnnxRuntimeTrainer(model, { batchSize, optimizer, lossWeights, random: () => random(), ...rest });
    return {
      name: 'onnxruntime',
      device: trainer.device,
      async step(batch, { lr, gradNorms, seed: stepSeed }) {
        if (stepSeed !== undefined) random = SeededRandom.stream(stepSeed);
        const result = await trainer.step(batch, lr, { gradNorms: gradNorms ?? false });
        if (!result.applied) throw new NonFiniteLossError(result.loss, result.ce, result.dice);
        return { loss: result.loss, ce: result.ce, dice: result.dice, ...(result.gradNorms ? { gradNorms: result.gradNorms } : {}) };
      },
      syncModel: async () => trainer.syncModel(),
      readOptimizerState: async () => trainer.getOptimizerState(),
      setOptimizerState: (state) => trainer.setOptimizerState(state),
      dispose: () => trainer.dispose(),
    };
  };
}
