import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadModelDir, saveModelDir } from '@levit-unet/levit-unet/node';
import { atomicWriteDir, atomicWriteFile, recoverDir } from '@levit-unet/safe-fs';
import { decodeOptimizerState, encodeOptimizerState } from '../optimizer-state-file.js';
import type { OptimizerState } from '../torch-optimizer.js';
import { readJsonFile, RUN_FILES, runPath, type TrainingState } from './run-folder.js';
import type { ValidationRecord } from './training-log.js';

/** The weight's name without tfjs's `_1` uniqueness suffix: stable across processes and rebuilds. */
export function variableKeys(model: LayersModel): string[] {
  return model.trainableWeights.map((w) => w.originalName);
}

/**
 * `last/`: model + training state + optimizer state in one atomic directory. The model must hold the
 * engine's values (`syncModel`) and `optimizerState` be read at the same iteration as `state`.
 * `variables` are the model's trainable variables in `trainableVariables` order (the optimizer state's keys).
 */
export async function saveLast(runDir: string, model: LayersModel, variables: readonly tf.Variable[], optimizerState: OptimizerState, state: TrainingState): Promise<void> {
  const keys = variableKeys(model);
  // tfjs variable names change between processes; the file keeps the stable keys.
  const keyOf = new Map(variables.map((v, i) => [v.name, keys[i]!]));
  const optimizerBytes = encodeOptimizerState(optimizerState, (name) => keyOf.get(name)!);
  await atomicWriteDir(runPath(runDir, 'last'), async (tmp) => {
    await saveModelDir(model, tmp);
    await atomicWriteFile(join(tmp, RUN_FILES.optimizerState), optimizerBytes);
    await atomicWriteFile(join(tmp, RUN_FILES.trainingState), `${JSON.stringify(state, null, 2)}\n`);
  });
}

/** `best/`: the model of the best validation so far, with that validation's record. */
export async function saveBest(runDir: string, model: LayersModel, record: ValidationRecord): Promise<void> {
  await atomicWriteDir(runPath(runDir, 'best'), async (tmp) => {
    await saveModelDir(model, tmp);
    await atomicWriteFile(join(tmp, RUN_FILES.bestValidation), `${JSON.stringify(record, null, 2)}\n`);
  });
}

/** Where `last/` stands. A run killed while it replaced last/ or best/ (between the two renames) is finished first. */
export async function readLastState(runDir: string): Promise<TrainingState> {
  const lastDir = runPath(runDir, 'last');
  for (const folder of [lastDir, runPath(runDir, 'best')]) await recoverDir(folder);
  return readJsonFile<TrainingState>(join(lastDir, RUN_FILES.trainingState), 'the run has no checkpoint yet (last/ is written after the first epoch or on abort)');
}

/** `last/`'s model: weights and BatchNorm statistics. */
export function loadLastModel(runDir: string): Promise<LayersModel> {
  return loadModelDir(runPath(runDir, 'last'));
}

/** `last/`'s optimizer state, keyed by the names of `variables` (`model`'s trainable variables, as loaded from `last/`). */
export async function readLastOptimizerState(runDir: string, model: LayersModel, variables: readonly tf.Variable[], state: TrainingState): Promise<OptimizerState> {
  const lastDir = runPath(runDir, 'last');
  const keys = variableKeys(model);
  if (keys.join('\n') !== state.variableKeys.join('\n')) throw new Error(`${lastDir}: the model's trainable weights differ from the checkpoint's`);
  const nameOf = new Map(keys.map((key, i) => [key, variables[i]!.name]));
  const optimizerPath = join(lastDir, RUN_FILES.optimizerState);
  return decodeOptimizerState(
    new Uint8Array(await readFile(optimizerPath)),
    (key) => {
      const name = nameOf.get(key);
      if (!name) throw new Error(`${optimizerPath}: state for "${key}", which the model does not have`);
      return name;
    },
    optimizerPath,
  );
}
