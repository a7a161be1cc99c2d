export { transunetLoss, DICE_SMOOTH, TRANSUNET_LOSS_WEIGHTS, type TransUNetLoss } from './transunet-loss.js';
export { TorchOptimizerBase, type TorchOptimizer, type OptimizerState } from './torch-optimizer.js';
export { TorchAdam, type TorchAdamOptions } from './torch-adam.js';
export { TorchSGD, type TorchSGDOptions } from './torch-sgd.js';
export { createOptimizer, OPTIMIZER_NAMES, type OptimizerConfig } from './optimizer-config.js';
export { learningRate, LR_SCHEDULE_KINDS, type LrSchedule } from './lr-schedule.js';
export { trainableVariables } from './trainable-variables.js';
export { trainStep, trainStepAsync, type TrainStepOptions, type TrainStepResult } from './train-step.js';
export type { TrainBatch } from './train-batch.js';
export type { TrainingEngine, TrainingEngineOptions, TrainingEngineFactory } from './training-engine.js';
export { createTfjsTrainingEngine } from './tfjs-training-engine.js';
export { NonFiniteLossError } from './non-finite-loss-error.js';
export { TRAIN_SETTINGS, checkSetting, parseSetting, describeSetting, type SettingSpec } from './train-settings.js';
export { findNonFiniteWeights, findNonFiniteOptimizerState, describeNonFinite, type NonFiniteTensor } from './non-finite-weights.js';
export { stepSeed } from './step-seed.js';
export {
  TRAINING_PRESETS,
  TRAINING_PRESET_NAMES,
  trainingPreset,
  type TrainConfig,
  type TrainingPreset,
  type TrainingPresetName,
} from './train-config.js';
export { encodeOptimizerState, decodeOptimizerState } from './optimizer-state-file.js';
export { plotCurves, type CurvePlot, type CurvePanel, type CurveSeries, type PlotArea } from './plot-curves.js';
