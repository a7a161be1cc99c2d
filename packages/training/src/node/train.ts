import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SampleSource } from '@levit-unet/datasets';
import { withInitSeed } from '@levit-unet/levit-unet';
import { atomicWriteFile, checkReplaceable } from '@levit-unet/safe-fs';
import { createTfjsTrainingEngine } from '../tfjs-training-engine.js';
import type { TrainConfig } from '../train-config.js';
import type { TrainingEngineFactory } from '../training-engine.js';
import { trainableVariables } from '../trainable-variables.js';
import { loadLastModel, readLastOptimizerState, readLastState, variableKeys } from './checkpoints.js';
import { modelSummary, readRunConfig, resolveConfig, type RunConfigFile } from './run-config.js';
import { startEngine } from './run-engine.js';
import { isTrainingRun, RUN_FILES, runPath, type TrainingState } from './run-folder.js';
import { lockRun } from './run-lock.js';
import { checkResumedData, openTrainData, reopenTrainData, type TrainData } from './train-data.js';
import { runLoop, trainResult, type TrainCallbacks, type TrainResult } from './train-loop.js';
import { TrainingLog } from './training-log.js';

export interface TrainOptions extends TrainConfig, TrainCallbacks {
  runDir: string;
  /**
   * The network (NHWC (B,H,W,1) → (B,H,W,numClasses) logits) or a factory. A factory runs in a
   * `withInitSeed(seed)` scope: the random initial weights of the layers it builds before its first
   * `await` follow the run's seed.
   */
  model: LayersModel | (() => LayersModel | Promise<LayersModel>);
  data: TrainData;
  /** More fields for config.json (model variant, initial weights, preset, the command line...). */
  extraConfig?: Record<string, unknown>;
  /** Samples loaded ahead (default 2·batchSize). */
  prefetch?: number;
  /** Start afresh in a folder that already holds a run (default false: that is an error; see `resume`). */
  overwrite?: boolean;
  /** What runs the steps (default `createTfjsTrainingEngine`). */
  engine?: TrainingEngineFactory;
  /** Told when a lock left by a process that is gone is taken over (default: a process warning). */
  onNote?: (note: string) => void;
}

/** Options of `resume`: the callbacks, and what config.json cannot hold (a custom data source). */
export interface ResumeOptions extends TrainCallbacks {
  /** The data, when the run was started from a custom `SampleSource` (config.json data.kind 'custom'). */
  data?: SampleSource;
  prefetch?: number;
  /** What runs the steps (default `createTfjsTrainingEngine`); any engine continues any run (the optimizer state is engine-independent). */
  engine?: TrainingEngineFactory;
  /** Told when a lock left by a process that is gone is taken over (default: a process warning). */
  onNote?: (note: string) => void;
}

/**
 * Trains a segmentation network with TransUNet's recipe and writes a run folder (see `RUN_FILES`):
 * per iteration TransUNet's CE + Dice loss, a PyTorch Adam/SGD step at the scheduled rate; every
 * `valEvery` epochs the `validate` callback (best/ by mean Dice); every `saveEvery` epochs, at the end
 * and on abort the resumable `last/`. `seed` seeds the initial weights (of a `model` factory), data
 * order, augmentation and drop-path; data order and augmentation depend only on (seed, epoch, sample) and
 * drop-path on (seed, iteration), so `resume(runDir)` ends with the same weights as an uninterrupted run.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { runDir } = options;
  // A run writes config.json, logs, last/ and best/ (and overwrite deletes last/ and best/): never into a
  // folder that holds anything else, such as a home folder.
  await checkReplaceable(runDir, { force: true, isReplaceable: isTrainingRun, what: 'training run folder' });
  // Held for the whole run: a second train/resume of the folder (overwrite included) is refused.
  const lock = await lockRun(runDir, options.onNote);
  try {
    return await startRun(options);
  } finally {
    await lock.release();
  }
}

async function startRun(options: TrainOptions): Promise<TrainResult> {
  const { runDir } = options;
  if (!options.overwrite) {
    const existing = await readFile(join(runDir, RUN_FILES.config)).catch(() => null);
    if (existing) throw new Error(`${runDir} already holds a training run: resume it, or pass overwrite to start again`);
  }
  const factory = options.model;
  const model = typeof factory === 'function' ? await withInitSeed(options.seed ?? 0, () => factory()) : factory;
  // Opened after the model is built and closed on every path below: a Synapse source starts worker
  // threads, and one left open keeps the process alive after any setup error.
  const data = await openTrainData(options.data, options.numClasses);
  try {
    const resolved = resolveConfig(options, data.source.length);
    const { engine, variables } = await startEngine(options.engine ?? createTfjsTrainingEngine, model, resolved.train, data);
    try {
      const config: RunConfigFile = {
        format: 'levit-unet-training-run',
        version: 1,
        ...resolved,
        data: data.description,
        model: modelSummary(model),
        extra: options.extraConfig ?? {},
        createdAt: new Date().toISOString(),
        backend: tf.getBackend(),
        engine: { name: engine.name, device: engine.device },
      };
      await mkdir(runDir, { recursive: true });
      if (options.overwrite) {
        for (const dir of [runPath(runDir, 'last'), runPath(runDir, 'best')]) await rm(dir, { recursive: true, force: true });
      }
      await atomicWriteFile(runPath(runDir, 'config'), `${JSON.stringify(config, null, 2)}\n`);
      const log = new TrainingLog(runPath(runDir, 'logJsonl'), runPath(runDir, 'logCsv'));
      await log.create();
      const state: TrainingState = {
        format: 'levit-unet-training-state',
        version: 1,
        iteration: 0,
        epoch: 0,
        batchInEpoch: 0,
        bestMeanDice: null,
        bestEpoch: null,
        lastValidationIteration: null,
        completed: false,
        variableKeys: variableKeys(model),
      };
      return await runLoop({ runDir, model, engine, variables, config, state, log, source: data.source, callbacks: options, prefetch: options.prefetch });
    } finally {
      await engine.dispose();
    }
  } finally {
    await data.close();
  }
}

/**
 * Continues the run in `runDir` from `last/`: weights, BatchNorm statistics, optimizer moments, step,
 * epoch, position in the epoch and learning-rate schedule, with the logs cut back to the checkpoint.
 * A completed run returns at once.
 */
export async function resume(runDir: string, options: ResumeOptions = {}): Promise<TrainResult> {
  await readRunConfig(runDir); // a folder that is not a run gets no lock file
  const lock = await lockRun(runDir, options.onNote);
  try {
    return await resumeRun(runDir, options);
  } finally {
    await lock.release();
  }
}

async function resumeRun(runDir: string, options: ResumeOptions): Promise<TrainResult> {
  const config = await readRunConfig(runDir);
  const state = await readLastState(runDir);
  checkResumedData(config.data, options.data);
  if (state.completed) return trainResult(runDir, config, state, await loadLastModel(runDir), 'completed', null);
  const data = await reopenTrainData(runDir, config.data, config.train.numClasses, options.data);
  try {
    const model = await loadLastModel(runDir);
    // Read (and checked against the model) before an engine is started for it.
    const optimizerState = await readLastOptimizerState(runDir, model, trainableVariables(model), state);
    const { engine, variables } = await startEngine(options.engine ?? createTfjsTrainingEngine, model, config.train, data);
    try {
      engine.setOptimizerState(optimizerState);
      const log = new TrainingLog(runPath(runDir, 'logJsonl'), runPath(runDir, 'logCsv'));
      await log.restore(state.iteration);
      return await runLoop({ runDir, model, engine, variables, config, state, log, source: data.source, callbacks: options, prefetch: options.prefetch });
    } finally {
      await engine.dispose();
    }
  } finally {
    await data.close();
  }
}
