import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SampleSource } from '@levit-unet/datasets';
import { createSliceSource, synapseTrainFiles, writePng } from '@levit-unet/datasets/node';
import { loadModelDir, saveModelDir } from '@levit-unet/levit-unet/node';
import { atomicWriteDir, atomicWriteFile, checkReplaceable, recoverDir } from '@levit-unet/safe-fs';
import { learningRate, type LrSchedule } from '../lr-schedule.js';
import { NonFiniteLossError } from '../non-finite-loss-error.js';
import { createOptimizer } from '../optimizer-config.js';
import { decodeOptimizerState, encodeOptimizerState } from '../optimizer-state-file.js';
import { plotCurves, type CurvePanel } from '../plot-curves.js';
import type { TorchOptimizer } from '../torch-optimizer.js';
import { trainableVariables } from '../trainable-variables.js';
import { trainStepAsync } from '../train-step.js';
import { TRANSUNET_LOSS_WEIGHTS } from '../transunet-loss.js';
import type { TrainConfig } from '../train-config.js';
import { epochBatchIndices, loadBatches } from './epoch-batches.js';
import { isTrainingRun, readJsonFile, RUN_FILES, runPath, type TrainingState } from './run-folder.js';
import { TrainingLog, type IterationRecord, type ValidationRecord } from './training-log.js';

/** Training data from a Synapse (TransUNet layout) root: `lists_Synapse/train.txt` → `train_npz/*.npz`. */
export interface SynapseTrainData {
  kind: 'synapse';
  root: string;
  /** TransUNet's random rotation/flip augmentation (default true). */
  augment?: boolean;
  /** Slices are resized to imgSize × imgSize (default 224). */
  imgSize?: number;
  /** Decoding worker threads (default: available cores; 0 = main thread). */
  workers?: number;
}

/** A Synapse root, or any `SampleSource` (then `resume` needs it passed again). */
export type TrainData = SampleSource | SynapseTrainData;

export interface ValidationResult {
  meanDice: number;
  [metric: string]: unknown;
}

export interface TrainProgress {
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** 1-based. */
  iteration: number;
  totalIterations: number;
  /** 1-based index of the batch within its epoch. */
  batchInEpoch: number;
  batchesPerEpoch: number;
  loss: number;
  ce: number;
  dice: number;
  lr: number;
  slicesPerSecond: number;
}

export interface TrainCallbacks {
  /** Called at the end of every `valEvery`-th epoch (1-based epoch) and at the end of the run; best/ follows its meanDice. */
  validate?: (model: LayersModel, epoch: number) => Promise<ValidationResult>;
  /** After every iteration (the CLI's progress bar). */
  onProgress?: (progress: TrainProgress) => void;
  onValidation?: (record: ValidationRecord) => void;
  /** Abort → the run saves `last/` at the current position and returns `status: 'aborted'` (SIGINT). */
  signal?: AbortSignal;
}

export interface TrainOptions extends TrainConfig, TrainCallbacks {
  runDir: string;
  /** The network (NHWC (B,H,W,1) → (B,H,W,numClasses) logits) or a factory. */
  model: LayersModel | (() => LayersModel | Promise<LayersModel>);
  data: TrainData;
  /** More fields for config.json (model variant, initial weights, preset, the command line...). */
  extraConfig?: Record<string, unknown>;
  /** Samples loaded ahead (default 2·batchSize). */
  prefetch?: number;
  /** Start afresh in a folder that already holds a run (default false: that is an error; see `resume`). */
  overwrite?: boolean;
}

export interface ResumeOptions extends TrainCallbacks {
  /** The data, when the run was started from a custom `SampleSource` (config.json data.kind 'custom'). */
  data?: SampleSource;
  prefetch?: number;
}

export interface TrainResult {
  status: 'completed' | 'aborted';
  runDir: string;
  /** Completed iterations. */
  iterations: number;
  totalIterations: number;
  epochsCompleted: number;
  lastLoss: number | null;
  bestMeanDice: number | null;
  bestEpoch: number | null;
  /** The trained model (the caller disposes it). */
  model: LayersModel;
}

/** The resolved training settings stored in config.json. */
export interface ResolvedTrainConfig extends Required<Omit<TrainConfig, 'maxSteps' | 'optimizer'>> {
  optimizer: TrainConfig['optimizer'];
  maxSteps: number | null;
}

/** config.json. */
export interface RunConfigFile {
  format: 'levit-unet-training-run';
  version: 1;
  train: ResolvedTrainConfig;
  iterationsPerEpoch: number;
  totalIterations: number;
  data: (Omit<SynapseTrainData, 'augment' | 'imgSize'> & { augment: boolean; imgSize: number }) | { kind: 'custom'; length: number };
  model: { name: string; inputShape: Array<number | null>; outputShape: Array<number | null>; trainableParams: number; totalParams: number };
  extra: Record<string, unknown>;
  createdAt: string;
  backend: string;
}

function positiveInteger(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new Error(`train: ${name} must be a positive integer, got ${String(value)}`);
  return value as number;
}

function resolveConfig(config: TrainConfig, samples: number): { train: ResolvedTrainConfig; iterationsPerEpoch: number; totalIterations: number } {
  const numClasses = positiveInteger(config.numClasses, 'numClasses');
  if (numClasses < 2) throw new Error(`train: numClasses must be at least 2, got ${numClasses}`);
  if (!(Number.isFinite(config.lr) && config.lr >= 0)) throw new Error(`train: lr must be a finite number >= 0, got ${config.lr}`);
  const batchSize = positiveInteger(config.batchSize, 'batchSize');
  const maxSteps = config.maxSteps === undefined ? null : positiveInteger(config.maxSteps, 'maxSteps');
  const schedule = config.schedule ?? 'constant';
  if (schedule !== 'constant' && schedule !== 'poly') throw new Error(`train: schedule must be constant or poly, got ${String(schedule)}`);
  const lossWeights = config.lossWeights ?? [...TRANSUNET_LOSS_WEIGHTS];
  if (lossWeights.length !== 2 || !lossWeights.every((w) => Number.isFinite(w) && w >= 0)) {
    throw new Error(`train: lossWeights must be two numbers >= 0 [ce, dice], got [${lossWeights}]`);
  }
  const dropLast = config.dropLast ?? false;
  const iterationsPerEpoch = dropLast ? Math.floor(samples / batchSize) : Math.ceil(samples / batchSize);
  if (iterationsPerEpoch === 0) throw new Error(`train: the data has ${samples} samples, not one batch of ${batchSize}`);
  const epochs = config.epochs === undefined ? (maxSteps ? Math.ceil(maxSteps / iterationsPerEpoch) : 1) : positiveInteger(config.epochs, 'epochs');
  const train: ResolvedTrainConfig = {
    numClasses,
    optimizer: config.optimizer,
    lr: config.lr,
    schedule,
    polyPower: config.polyPower ?? 0.9,
    epochs,
    maxSteps,
    batchSize,
    seed: config.seed ?? 0,
    shuffle: config.shuffle ?? true,
    dropLast,
    lossWeights: [lossWeights[0]!, lossWeights[1]!],
    valEvery: positiveInteger(config.valEvery ?? 1, 'valEvery'),
    saveEvery: positiveInteger(config.saveEvery ?? 1, 'saveEvery'),
  };
  return { train, iterationsPerEpoch, totalIterations: Math.min(epochs * iterationsPerEpoch, maxSteps ?? Infinity) };
}

function isSampleSource(data: TrainData): data is SampleSource {
  return typeof (data as SampleSource).load === 'function';
}

async function openSynapse(data: SynapseTrainData, numClasses: number): Promise<{ source: SampleSource; description: RunConfigFile['data'] }> {
  const imgSize = data.imgSize ?? 224;
  const augment = data.augment ?? true;
  const files = await synapseTrainFiles(data.root);
  const source = createSliceSource(files, { augment, outputSize: [imgSize, imgSize], numClasses, ...(data.workers === undefined ? {} : { workers: data.workers }) });
  return { source, description: { ...data, augment, imgSize } };
}

/** The weight's name without tfjs's `_1` uniqueness suffix: stable across processes and rebuilds. */
function variableKeys(model: LayersModel): string[] {
  return model.trainableWeights.map((w) => w.originalName);
}

function modelSummary(model: LayersModel): RunConfigFile['model'] {
  const count = (weights: Array<{ shape: Array<number | null> }>) => weights.reduce((s, w) => s + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
  return {
    name: model.name,
    inputShape: model.inputs[0]!.shape,
    outputShape: model.outputs[0]!.shape,
    trainableParams: count(model.trainableWeights),
    totalParams: count(model.weights),
  };
}

/**
 * Trains a segmentation network with TransUNet's recipe and writes a run folder (see `RUN_FILES`):
 * per iteration TransUNet's CE + Dice loss, a PyTorch Adam/SGD step at the scheduled rate; every
 * `valEvery` epochs the `validate` callback (best/ by mean Dice); every `saveEvery` epochs, at the end
 * and on abort the resumable `last/`. Data order and augmentation depend only on (seed, epoch, sample),
 * so `resume(runDir)` ends with the same weights as an uninterrupted run.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { runDir } = options;
  if (!options.overwrite) {
    const existing = await readFile(join(runDir, RUN_FILES.config)).catch(() => null);
    if (existing) throw new Error(`${runDir} already holds a training run: resume it, or pass overwrite to start again`);
  }
  // A run writes config.json, logs, last/ and best/ (and overwrite deletes last/ and best/): never into a
  // folder that holds anything else, such as a home folder.
  await checkReplaceable(runDir, { force: true, isReplaceable: isTrainingRun, what: 'training run folder' });
  const opened = isSampleSource(options.data)
    ? { source: options.data, description: { kind: 'custom' as const, length: options.data.length }, owned: false }
    : { ...(await openSynapse(options.data, options.numClasses)), owned: true };
  const model = typeof options.model === 'function' ? await options.model() : options.model;
  try {
    const { train, iterationsPerEpoch, totalIterations } = resolveConfig(options, opened.source.length);
    const config: RunConfigFile = {
      format: 'levit-unet-training-run',
      version: 1,
      train,
      iterationsPerEpoch,
      totalIterations,
      data: opened.description,
      model: modelSummary(model),
      extra: options.extraConfig ?? {},
      createdAt: new Date().toISOString(),
      backend: tf.getBackend(),
    };
    await mkdir(runDir, { recursive: true });
    if (options.overwrite) {
      for (const dir of [runPath(runDir, 'last'), runPath(runDir, 'best')]) await rm(dir, { recursive: true, force: true });
    }
    await atomicWriteFile(runPath(runDir, 'config'), `${JSON.stringify(config, null, 2)}\n`);
    const log = new TrainingLog(runPath(runDir, 'logJsonl'), runPath(runDir, 'logCsv'));
    await log.create();
    const optimizer = createOptimizer(train.optimizer, trainableVariables(model));
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
    return await runLoop({ runDir, model, optimizer, config, state, log, source: opened.source, callbacks: options, prefetch: options.prefetch });
  } finally {
    if (opened.owned) await opened.source.close?.();
  }
}

/**
 * Continues the run in `runDir` from `last/`: weights, BatchNorm statistics, optimizer moments, step,
 * epoch, position in the epoch and learning-rate schedule, with the logs cut back to the checkpoint.
 * A completed run returns at once.
 */
export async function resume(runDir: string, options: ResumeOptions = {}): Promise<TrainResult> {
  const config = await readJsonFile<RunConfigFile>(runPath(runDir, 'config'), 'not a training run folder');
  if (config.format !== 'levit-unet-training-run') throw new Error(`${runPath(runDir, 'config')}: not a training run config (format "${config.format}")`);
  const lastDir = runPath(runDir, 'last');
  // A run killed while it replaced last/ or best/ (between the two renames) is finished first.
  for (const folder of [lastDir, runPath(runDir, 'best')]) await recoverDir(folder);
  const state = await readJsonFile<TrainingState>(join(lastDir, RUN_FILES.trainingState), 'the run has no checkpoint yet (last/ is written after the first epoch or on abort)');
  if (options.data && options.data.length !== (config.data.kind === 'custom' ? config.data.length : options.data.length)) {
    throw new Error(`resume: the data has ${options.data.length} samples, the run had ${config.data.kind === 'custom' ? config.data.length : '?'}`);
  }
  if (state.completed) return finishedRun(runDir, config, state, await loadModelDir(lastDir));
  let source: SampleSource;
  let owned = false;
  if (config.data.kind === 'custom') {
    if (!options.data) throw new Error(`${runDir} was trained from a custom SampleSource: pass it again as options.data`);
    source = options.data;
  } else {
    source = options.data ?? (await openSynapse(config.data, config.train.numClasses)).source;
    owned = !options.data;
  }
  const model = await loadModelDir(lastDir);
  try {
    const keys = variableKeys(model);
    if (keys.join('\n') !== state.variableKeys.join('\n')) throw new Error(`${lastDir}: the model's trainable weights differ from the checkpoint's`);
    const variables = trainableVariables(model);
    const nameOf = new Map(keys.map((key, i) => [key, variables[i]!.name]));
    const optimizer = createOptimizer(config.train.optimizer, variables);
    const optimizerPath = join(lastDir, RUN_FILES.optimizerState);
    optimizer.setState(
      decodeOptimizerState(new Uint8Array(await readFile(optimizerPath)), (key) => {
        const name = nameOf.get(key);
        if (!name) throw new Error(`${optimizerPath}: state for "${key}", which the model does not have`);
        return name;
      }, optimizerPath),
    );
    const log = new TrainingLog(runPath(runDir, 'logJsonl'), runPath(runDir, 'logCsv'));
    await log.restore(state.iteration);
    return await runLoop({ runDir, model, optimizer, config, state, log, source, callbacks: options, prefetch: options.prefetch });
  } finally {
    if (owned) await source.close?.();
  }
}

/** A completed run's result, from its checkpoint. */
function finishedRun(runDir: string, config: RunConfigFile, state: TrainingState, model: LayersModel): TrainResult {
  return {
    status: 'completed',
    runDir,
    iterations: state.iteration,
    totalIterations: config.totalIterations,
    epochsCompleted: state.epoch,
    lastLoss: null,
    bestMeanDice: state.bestMeanDice,
    bestEpoch: state.bestEpoch,
    model,
  };
}

interface LoopContext {
  runDir: string;
  model: LayersModel;
  optimizer: TorchOptimizer;
  config: RunConfigFile;
  state: TrainingState;
  log: TrainingLog;
  source: SampleSource;
  callbacks: TrainCallbacks;
  prefetch?: number;
}

async function runLoop(ctx: LoopContext): Promise<TrainResult> {
  const { model, optimizer, config, state, log, source, callbacks } = ctx;
  const { train, iterationsPerEpoch, totalIterations } = config;
  const schedule: LrSchedule = train.schedule === 'poly' ? { kind: 'poly', maxIterations: totalIterations, power: train.polyPower } : { kind: 'constant' };
  const [, inputHeight, inputWidth] = model.inputs[0]!.shape;
  const prefetch = ctx.prefetch ?? 2 * train.batchSize;
  let lastLoss: number | null = null;
  const result = (status: TrainResult['status']): TrainResult => ({
    status,
    runDir: ctx.runDir,
    iterations: state.iteration,
    totalIterations,
    epochsCompleted: state.epoch,
    lastLoss,
    bestMeanDice: state.bestMeanDice,
    bestEpoch: state.bestEpoch,
    model,
  });
  try {
    while (state.iteration < totalIterations) {
      const epochNumber = state.epoch + 1;
      const batches = epochBatchIndices(source.length, state.epoch, train.seed, train.shuffle, train.batchSize, train.dropLast).slice(state.batchInEpoch);
      let started = performance.now();
      for await (const batch of loadBatches(source, batches, state.epoch, train.seed, prefetch)) {
        if (callbacks.signal?.aborted) {
          await saveLast(ctx);
          return result('aborted');
        }
        const [, h, w] = batch.labelShape;
        if ((inputHeight != null && inputHeight !== h) || (inputWidth != null && inputWidth !== w)) {
          throw new Error(`train: the data's slices are ${h}x${w}, the model takes ${inputHeight}x${inputWidth} (set the image size to match)`);
        }
        const lr = learningRate(schedule, train.lr, state.iteration);
        let step;
        try {
          step = await trainStepAsync(model, optimizer, batch, { lr, numClasses: train.numClasses, lossWeights: train.lossWeights });
        } catch (error) {
          if (error instanceof NonFiniteLossError) throw new NonFiniteLossError(error.loss, error.ce, error.dice, state.iteration + 1);
          throw error;
        }
        state.iteration += 1;
        state.batchInEpoch += 1;
        lastLoss = step.loss;
        const now = performance.now();
        const slicesPerSecond = (batch.indices.length * 1000) / Math.max(now - started, 1e-3);
        started = now;
        const record: IterationRecord = {
          type: 'train',
          epoch: epochNumber,
          iteration: state.iteration,
          loss: step.loss,
          ce: step.ce,
          dice: step.dice,
          lr,
          slicesPerSecond,
          time: new Date().toISOString(),
        };
        await log.append(record);
        callbacks.onProgress?.({
          epoch: epochNumber,
          epochs: train.epochs,
          iteration: state.iteration,
          totalIterations,
          batchInEpoch: state.batchInEpoch,
          batchesPerEpoch: iterationsPerEpoch,
          loss: step.loss,
          ce: step.ce,
          dice: step.dice,
          lr,
          slicesPerSecond,
        });
        if (state.iteration >= totalIterations) break;
      }
      const epochDone = state.batchInEpoch >= iterationsPerEpoch;
      const runDone = state.iteration >= totalIterations;
      if (epochDone) {
        state.epoch += 1;
        state.batchInEpoch = 0;
      }
      if (callbacks.validate && (runDone || (epochDone && epochNumber % train.valEvery === 0))) await validate(ctx, epochNumber);
      if (runDone) break;
      if (epochDone && epochNumber % train.saveEvery === 0) await saveLast(ctx);
    }
    state.completed = true;
    await saveLast(ctx);
    return result('completed');
  } finally {
    await writeCurves(ctx).catch(() => undefined);
  }
}

async function validate(ctx: LoopContext, epoch: number): Promise<void> {
  const { state, model } = ctx;
  if (state.lastValidationIteration === state.iteration) return;
  const outcome = await ctx.callbacks.validate!(model, epoch);
  if (!Number.isFinite(outcome.meanDice)) throw new Error(`validate: meanDice must be a finite number, got ${String(outcome.meanDice)} (epoch ${epoch})`);
  const record: ValidationRecord = { ...outcome, type: 'validation', epoch, iteration: state.iteration, time: new Date().toISOString() };
  state.lastValidationIteration = state.iteration;
  await ctx.log.append(record);
  ctx.callbacks.onValidation?.(record);
  if (state.bestMeanDice === null || outcome.meanDice > state.bestMeanDice) {
    state.bestMeanDice = outcome.meanDice;
    state.bestEpoch = epoch;
    await atomicWriteDir(runPath(ctx.runDir, 'best'), async (tmp) => {
      await saveModelDir(model, tmp);
      await atomicWriteFile(join(tmp, RUN_FILES.bestValidation), `${JSON.stringify(record, null, 2)}\n`);
    });
  }
  await writeCurves(ctx);
}

/** `last/`: model + training state + optimizer state in one atomic directory. */
async function saveLast(ctx: LoopContext): Promise<void> {
  const { model, optimizer, state } = ctx;
  const keys = variableKeys(model);
  const keyOf = new Map(optimizer.variables.map((v, i) => [v.name, keys[i]!]));
  const optimizerBytes = encodeOptimizerState(await optimizer.readState(), (name) => keyOf.get(name)!);
  await atomicWriteDir(runPath(ctx.runDir, 'last'), async (tmp) => {
    await saveModelDir(model, tmp);
    await atomicWriteFile(join(tmp, RUN_FILES.optimizerState), optimizerBytes);
    await atomicWriteFile(join(tmp, RUN_FILES.trainingState), `${JSON.stringify(state, null, 2)}\n`);
  });
  await writeCurves(ctx);
}

async function writeCurves(ctx: LoopContext): Promise<void> {
  const train = ctx.log.records.filter((r): r is IterationRecord => r.type === 'train');
  const validation = ctx.log.records.filter((r): r is ValidationRecord => r.type === 'validation');
  const iterations = train.map((r) => r.iteration);
  const panels: CurvePanel[] = [
    {
      title: 'training loss',
      series: [
        { x: iterations, y: train.map((r) => r.ce), color: [150, 190, 240], label: 'cross-entropy' },
        { x: iterations, y: train.map((r) => r.dice), color: [240, 190, 150], label: 'Dice loss' },
        { x: iterations, y: train.map((r) => r.loss), color: [20, 60, 200], label: 'loss' },
      ],
    },
  ];
  // The validation panel only for runs that validate.
  if (validation.length > 0) {
    const dice = { x: validation.map((r) => r.iteration), y: validation.map((r) => r.meanDice) };
    panels.push({ title: 'validation', series: [{ ...dice, color: [220, 90, 20], dots: true, label: 'mean Dice' }], yRange: [0, 1] });
  }
  await writePng(runPath(ctx.runDir, 'curves'), plotCurves(panels));
}
