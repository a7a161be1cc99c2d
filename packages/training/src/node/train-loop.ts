import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SampleSource } from '@levit-unet/datasets';
import { learningRate, type LrSchedule } from '../lr-schedule.js';
import { NonFiniteLossError } from '../non-finite-loss-error.js';
import { stepSeed } from '../step-seed.js';
import type { TrainingEngine } from '../training-engine.js';
import type { TrainStepResult } from '../train-step.js';
import { describeNonFinite, findNonFiniteOptimizerState, findNonFiniteWeights } from '../non-finite-weights.js';
import type { OptimizerState } from '../torch-optimizer.js';
import { saveBest, saveLast } from './checkpoints.js';
import { epochBatchIndices, loadBatches } from './epoch-batches.js';
import type { RunConfigFile } from './run-config.js';
import type { TrainingState } from './run-folder.js';
import { writeCurves } from './training-curves.js';
import type { IterationRecord, TrainingLog, ValidationRecord } from './training-log.js';

/** What a `validate` callback returns: the mean Dice that picks `best/`, and any other metrics to log. */
export interface ValidationResult {
  meanDice: number;
  [metric: string]: unknown;
}

/** Where a run is after an iteration: epoch, iteration, batch, the losses, rate and speed. */
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

/** What a run calls back: validation, progress, validation records, and the abort signal. */
export interface TrainCallbacks {
  /** Called at the end of every `valEvery`-th epoch (1-based epoch) and at the end of the run; best/ follows its meanDice. */
  validate?: (model: LayersModel, epoch: number) => Promise<ValidationResult>;
  /** After every iteration (the CLI's progress bar). */
  onProgress?: (progress: TrainProgress) => void;
  /** After every validation, with the record written to `log.jsonl`. */
  onValidation?: (record: ValidationRecord) => void;
  /** Abort → the run saves `last/` at the current position and returns `status: 'aborted'` (SIGINT). */
  signal?: AbortSignal;
}

/** How a run ended: its status, position, losses, best validation and the trained model. */
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

/** What a run continues from: a new run's start, or a resumed run's `last/`. */
export interface LoopContext {
  runDir: string;
  /** Holds the engine's values as of `state.iteration` when the loop starts. */
  model: LayersModel;
  engine: TrainingEngine;
  /** The model's trainable variables (the optimizer state's names). */
  variables: readonly tf.Variable[];
  config: RunConfigFile;
  state: TrainingState;
  log: TrainingLog;
  source: SampleSource;
  callbacks: TrainCallbacks;
  prefetch?: number;
}

/** The result at the run's current position. */
export function trainResult(runDir: string, config: RunConfigFile, state: TrainingState, model: LayersModel, status: TrainResult['status'], lastLoss: number | null): TrainResult {
  return {
    status,
    runDir,
    iterations: state.iteration,
    totalIterations: config.totalIterations,
    epochsCompleted: state.epoch,
    lastLoss,
    bestMeanDice: state.bestMeanDice,
    bestEpoch: state.bestEpoch,
    model,
  };
}

/** A running loop: the context plus whether the model holds the engine's latest values. */
interface Run extends LoopContext {
  /** Brings the model up to the engine's values; once per position (it copies every weight out of an engine that trains elsewhere). */
  syncModel(): Promise<void>;
  /** The rate of the latest step (named when an update turns out non-finite). */
  lastLr: number | null;
  /** The iteration `last/` holds (null before the first save). */
  savedIteration: number | null;
}

/**
 * Trains from `state` to the end (or an abort) with `ctx.engine`: one step per batch, the log, every
 * `valEvery` epochs a validation (best/), every `saveEvery` epochs, at the end and on abort `last/`.
 */
export async function runLoop(ctx: LoopContext): Promise<TrainResult> {
  const { engine, config, state, log, source, callbacks } = ctx;
  const { train, iterationsPerEpoch, totalIterations } = config;
  let syncedAt = state.iteration;
  const run: Run = {
    ...ctx,
    syncModel: async () => {
      if (syncedAt === state.iteration) return;
      await engine.syncModel();
      syncedAt = state.iteration;
    },
    lastLr: null,
    // A resumed run starts from last/.
    savedIteration: state.iteration > 0 ? state.iteration : null,
  };
  const schedule: LrSchedule = train.schedule === 'poly' ? { kind: 'poly', maxIterations: totalIterations, power: train.polyPower } : { kind: 'constant' };
  const [, inputHeight, inputWidth] = ctx.model.inputs[0]!.shape;
  const prefetch = ctx.prefetch ?? 2 * train.batchSize;
  let lastLoss: number | null = null;
  const result = (status: TrainResult['status']) => trainResult(ctx.runDir, config, state, ctx.model, status, lastLoss);
  try {
    while (state.iteration < totalIterations) {
      const epochNumber = state.epoch + 1;
      const batches = epochBatchIndices(source.length, state.epoch, train.seed, train.shuffle, train.batchSize, train.dropLast).slice(state.batchInEpoch);
      let started = performance.now();
      for await (const batch of loadBatches(source, batches, state.epoch, train.seed, prefetch)) {
        if (callbacks.signal?.aborted) {
          await checkpoint(run);
          return result('aborted');
        }
        const [, h, w] = batch.labelShape;
        if ((inputHeight != null && inputHeight !== h) || (inputWidth != null && inputWidth !== w)) {
          throw new Error(`train: the data's slices are ${h}x${w}, the model takes ${inputHeight}x${inputWidth} (set the image size to match)`);
        }
        const lr = learningRate(schedule, train.lr, state.iteration);
        let step: TrainStepResult;
        try {
          step = await engine.step(batch, { lr, seed: stepSeed(train.seed, state.iteration) });
        } catch (error) {
          // The engine does not know the run's position; the error names it.
          if (error instanceof NonFiniteLossError) throw new NonFiniteLossError(error.loss, error.ce, error.dice, state.iteration + 1);
          throw error;
        }
        state.iteration += 1;
        state.batchInEpoch += 1;
        lastLoss = step.loss;
        run.lastLr = lr;
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
      if (callbacks.validate && (runDone || (epochDone && epochNumber % train.valEvery === 0))) await validate(run, epochNumber);
      if (runDone) break;
      if (epochDone && epochNumber % train.saveEvery === 0) await checkpoint(run);
    }
    state.completed = true;
    await checkpoint(run);
    return result('completed');
  } finally {
    // A model the caller passed in holds the last completed step even when the run fails.
    await run.syncModel().catch(() => undefined);
    await writeCurves(ctx.runDir, log.records).catch(() => undefined);
  }
}

/** Validates the model at the current position (once per position) and keeps best/ at the best mean Dice. */
async function validate(run: Run, epoch: number): Promise<void> {
  const { state, model } = run;
  if (state.lastValidationIteration === state.iteration) return;
  await run.syncModel();
  await checkFinite(run, null);
  const outcome = await run.callbacks.validate!(model, epoch);
  if (!Number.isFinite(outcome.meanDice)) throw new Error(`validate: meanDice must be a finite number, got ${String(outcome.meanDice)} (epoch ${epoch})`);
  const record: ValidationRecord = { ...outcome, type: 'validation', epoch, iteration: state.iteration, time: new Date().toISOString() };
  state.lastValidationIteration = state.iteration;
  await run.log.append(record);
  run.callbacks.onValidation?.(record);
  if (state.bestMeanDice === null || outcome.meanDice > state.bestMeanDice) {
    state.bestMeanDice = outcome.meanDice;
    state.bestEpoch = epoch;
    await run.syncModel();
    await saveBest(run.runDir, model, record);
  }
  await writeCurves(run.runDir, run.log.records);
}

/**
 * Stops the run when the weights or the optimizer state hold NaN/Inf. The loss is checked before each
 * update, so only the latest updates (and BatchNorm statistics, which the training loss never reads) can
 * be non-finite here: the run stops before such a model reaches last/ or best/.
 */
async function checkFinite(run: Run, optimizerState: OptimizerState | null): Promise<void> {
  const weights = await findNonFiniteWeights(run.model);
  const moments = optimizerState ? findNonFiniteOptimizerState(optimizerState) : [];
  if (weights.length === 0 && moments.length === 0) return;
  const what = weights.length
    ? `weights: ${describeNonFinite(weights, run.model.weights.reduce((s, w) => s + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0))}`
    : `optimizer state: ${describeNonFinite(moments, Object.values(optimizerState!.slots).reduce((s, slot) => s + Object.values(slot.buffers).reduce((a, b) => a + b.length, 0), 0))}`;
  const kept = run.savedIteration === null ? 'no last/ was written' : `last/ keeps iteration ${run.savedIteration}`;
  throw new Error(
    `train: non-finite ${what} after the update at iteration ${run.state.iteration} (lr ${run.lastLr}); training stopped, ${kept} (lower the learning rate)`,
  );
}

/** `last/` at the current position (checked finite first), then the curves. */
async function checkpoint(run: Run): Promise<void> {
  await run.syncModel();
  const optimizerState = await run.engine.readOptimizerState();
  await checkFinite(run, optimizerState);
  await saveLast(run.runDir, run.model, run.variables, optimizerState, run.state);
  run.savedIteration = run.state.iteration;
  await writeCurves(run.runDir, run.log.records);
}
