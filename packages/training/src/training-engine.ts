import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { OptimizerConfig } from './optimizer-config.js';
import type { OptimizerState } from './torch-optimizer.js';
import type { TrainBatch } from './train-batch.js';
import type { TrainStepResult } from './train-step.js';

/**
 * What runs the training steps of a run (tfjs itself, or onnxruntime's training API). The trainer keeps
 * the tfjs `LayersModel` as the run's model of record: it validates, saves and returns that model, so an
 * engine that trains a copy elsewhere copies its values back in `syncModel()`.
 */
export interface TrainingEngine {
  /** 'tfjs' or 'onnxruntime' (written into the run's config/log). */
  readonly name: string;
  /** Free-form device description, e.g. 'wasm', 'cpu', 'webgpu'. */
  readonly device: string;
  /**
   * One TransUNet step (forward in training mode, loss, backward, optimizer update). Throws NonFiniteLossError
   * before updating on a non-finite loss. `seed` seeds the step's random draws (drop-path masks; the run
   * passes `stepSeed(seed, iteration)`); without it the engine's own stream (tfjs: unseeded) is used.
   */
  step(batch: TrainBatch, options: { lr: number; gradNorms?: boolean; seed?: number }): Promise<TrainStepResult>;
  /** Makes the tfjs model's variables (weights and BatchNorm running statistics/num_batches_tracked) hold the engine's current values, so the model can be saved, validated or exported. No-op for tfjs. */
  syncModel(): Promise<void>;
  /** Optimizer state keyed by tfjs variable name (as TorchOptimizer.readState). */
  readOptimizerState(): Promise<OptimizerState>;
  /** Restores `readOptimizerState()`'s output (a resumed run, possibly from the other engine). */
  setOptimizerState(state: OptimizerState): void;
  /** Frees what the engine holds. */
  dispose(): Promise<void> | void;
}

/** What a `TrainingEngineFactory` is given: the model, optimizer, loss and the shapes of the batches. */
export interface TrainingEngineOptions {
  /** The run's model; the engine starts from its current values. */
  model: LayersModel;
  optimizer: OptimizerConfig;
  numClasses: number;
  /** [ce, dice]. */
  lossWeights: readonly [number, number];
  /** The largest batch (the last one of an epoch may be smaller unless dropLast). */
  batchSize: number;
  /** [H, W] of every batch: for engines whose training graph has fixed shapes. */
  imageSize: readonly [number, number];
  /** Trainable, in trainableVariables(model) order. */
  variables: tf.Variable[];
}

/** Makes a run's `TrainingEngine` (`createTfjsTrainingEngine`, `createOnnxRuntimeTrainingEngine`). */
export type TrainingEngineFactory = (options: TrainingEngineOptions) => Promise<TrainingEngine>;
