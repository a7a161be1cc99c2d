import type { LayersModel } from '@tensorflow/tfjs-layers';
import { TRANSUNET_LOSS_WEIGHTS } from '../transunet-loss.js';
import type { TrainConfig } from '../train-config.js';
import { readJsonFile, runPath } from './run-folder.js';
import type { TrainDataDescription } from './train-data.js';

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
  data: TrainDataDescription;
  model: { name: string; inputShape: Array<number | null>; outputShape: Array<number | null>; trainableParams: number; totalParams: number };
  extra: Record<string, unknown>;
  createdAt: string;
  /** The tfjs backend (the model's, and the tfjs engine's device). */
  backend: string;
  /** The training engine the run started with (`TrainingEngine.name`/`device`); absent in runs written before engines existed (tfjs). */
  engine?: { name: string; device: string };
}

/** What `resolveConfig` derives from the options and the data's length. */
export type ResolvedRun = Pick<RunConfigFile, 'train' | 'iterationsPerEpoch' | 'totalIterations'>;

function positiveInteger(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new Error(`train: ${name} must be a positive integer, got ${String(value)}`);
  return value as number;
}

/** Checks the options and fills in the defaults; the epoch count follows from maxSteps when not given. */
export function resolveConfig(config: TrainConfig, samples: number): ResolvedRun {
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

/** config.json's model summary (what a reader needs to recognise the network). */
export function modelSummary(model: LayersModel): RunConfigFile['model'] {
  const count = (weights: Array<{ shape: Array<number | null> }>) => weights.reduce((s, w) => s + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
  return {
    name: model.name,
    inputShape: model.inputs[0]!.shape,
    outputShape: model.outputs[0]!.shape,
    trainableParams: count(model.trainableWeights),
    totalParams: count(model.weights),
  };
}

export async function readRunConfig(runDir: string): Promise<RunConfigFile> {
  const path = runPath(runDir, 'config');
  const config = await readJsonFile<RunConfigFile>(path, 'not a training run folder');
  if (config.format !== 'levit-unet-training-run') throw new Error(`${path}: not a training run config (format "${config.format}")`);
  return config;
}
