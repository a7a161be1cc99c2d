import type { LayersModel } from '@tensorflow/tfjs-layers';
import { TRANSUNET_LOSS_WEIGHTS } from '../transunet-loss.js';
import { checkSetting, TRAIN_SETTINGS } from '../train-settings.js';
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

/** Checks one option against the shared schema (the CLI's flags and --config files use the same). */
function checked<K extends keyof typeof TRAIN_SETTINGS>(name: K, value: unknown): unknown {
  return checkSetting(name, TRAIN_SETTINGS[name], value, 'train: ');
}

/** Checks the options and fills in the defaults; the epoch count follows from maxSteps when not given. */
export function resolveConfig(config: TrainConfig, samples: number): ResolvedRun {
  const numClasses = checked('numClasses', config.numClasses) as number;
  checked('optimizer', (config.optimizer as { name?: unknown } | undefined)?.name);
  const optimizerOptions = config.optimizer as { weightDecay?: number; momentum?: number };
  if (optimizerOptions.weightDecay !== undefined) checked('weightDecay', optimizerOptions.weightDecay);
  if (optimizerOptions.momentum !== undefined) checked('momentum', optimizerOptions.momentum);
  checked('lr', config.lr);
  const batchSize = checked('batchSize', config.batchSize) as number;
  const maxSteps = config.maxSteps === undefined ? null : (checked('maxSteps', config.maxSteps) as number);
  const schedule = checked('schedule', config.schedule ?? 'constant') as ResolvedTrainConfig['schedule'];
  const lossWeights = checked('lossWeights', config.lossWeights ?? [...TRANSUNET_LOSS_WEIGHTS]) as [number, number];
  for (const name of ['seed', 'shuffle', 'dropLast', 'polyPower', 'valEvery', 'saveEvery', 'epochs'] as const) {
    if (config[name] !== undefined) checked(name, config[name]);
  }
  const dropLast = config.dropLast ?? false;
  const iterationsPerEpoch = dropLast ? Math.floor(samples / batchSize) : Math.ceil(samples / batchSize);
  if (iterationsPerEpoch === 0) throw new Error(`train: the data has ${samples} samples, not one batch of ${batchSize}`);
  const epochs = config.epochs === undefined ? (maxSteps ? Math.ceil(maxSteps / iterationsPerEpoch) : 1) : config.epochs;
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
    valEvery: config.valEvery ?? 1,
    saveEvery: config.saveEvery ?? 1,
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
