import type { LrSchedule } from './lr-schedule.js';
import type { OptimizerConfig } from './optimizer-config.js';

/** The serialisable part of a training run: with the data and the model, everything that repeats it. */
export interface TrainConfig {
  numClasses: number;
  optimizer: OptimizerConfig;
  /** Base learning rate. */
  lr: number;
  /** 'constant', or 'poly' (TransUNet, power 0.9, max_iterations = the run's iterations). Default 'constant'. */
  schedule?: LrSchedule['kind'];
  /** poly's power (default 0.9). */
  polyPower?: number;
  /** Passes over the data (default 1 unless maxSteps is set). */
  epochs?: number;
  /** Stop after this many iterations (whichever of epochs / maxSteps comes first). */
  maxSteps?: number;
  batchSize: number;
  /** Seed of the initial weights (of a model factory), data order, augmentation and drop-path (default 0). */
  seed?: number;
  /** Reshuffle each epoch (default true, as TransUNet's DataLoader). */
  shuffle?: boolean;
  /** Drop a last incomplete batch (default false, as TransUNet's DataLoader). */
  dropLast?: boolean;
  /** [ce, dice] (default [0.5, 0.5]). */
  lossWeights?: [number, number];
  /** Validate every N epochs when a `validate` callback is given (default 1). */
  valEvery?: number;
  /** Write the resumable `last/` checkpoint every N epochs (default 1); also at the end and on abort. */
  saveEvery?: number;
}

/** The preset names `levit-unet train --preset` accepts. */
export const TRAINING_PRESET_NAMES = ['paper', 'transunet'] as const;
/** One of `TRAINING_PRESET_NAMES`. */
export type TrainingPresetName = (typeof TRAINING_PRESET_NAMES)[number];

/** A preset: the optimizer, rate, schedule, batch, image size, augmentation and epochs of a published recipe. */
export interface TrainingPreset extends Partial<TrainConfig> {
  imgSize: number;
  augment: boolean;
  description: string;
}

/**
 * - `paper`: what the LeViT-UNet paper states (Adam, lr 1e-5, weight decay 1e-4, batch 8, 224×224,
 *   augmentation, constant rate); the paper gives no epoch count, so TransUNet's 150 is used.
 * - `transunet`: TransUNet's trainer_synapse defaults (SGD 0.01, momentum 0.9, weight decay 1e-4, poly 0.9,
 *   batch 24, 150 epochs, 224×224, random rotation/flip augmentation).
 */
export const TRAINING_PRESETS: Readonly<Record<TrainingPresetName, TrainingPreset>> = {
  paper: {
    description: 'LeViT-UNet paper: Adam lr 1e-5, weight decay 1e-4, batch 8, 224x224, augmentation, constant lr',
    optimizer: { name: 'adam', weightDecay: 1e-4 },
    lr: 1e-5,
    schedule: 'constant',
    batchSize: 8,
    epochs: 150,
    imgSize: 224,
    augment: true,
  },
  transunet: {
    description: 'TransUNet trainer_synapse: SGD 0.01, momentum 0.9, weight decay 1e-4, poly 0.9, batch 24, 150 epochs',
    optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 1e-4 },
    lr: 0.01,
    schedule: 'poly',
    polyPower: 0.9,
    batchSize: 24,
    epochs: 150,
    imgSize: 224,
    augment: true,
  },
};

/** A preset by name, or one clear error listing the names. */
export function trainingPreset(name: string): TrainingPreset {
  if (!(TRAINING_PRESET_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown training preset "${name}": expected ${TRAINING_PRESET_NAMES.join(' or ')}`);
  }
  return TRAINING_PRESETS[name as TrainingPresetName];
}
