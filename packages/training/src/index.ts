export { transunetLoss, DICE_SMOOTH, TRANSUNET_LOSS_WEIGHTS, type TransUNetLoss } from './transunet-loss.js';
export { TorchOptimizerBase, type TorchOptimizer, type OptimizerState } from './torch-optimizer.js';
export { TorchAdam, type TorchAdamOptions } from './torch-adam.js';
export { TorchSGD, type TorchSGDOptions } from './torch-sgd.js';
export { createOptimizer, OPTIMIZER_NAMES, type OptimizerConfig } from './optimizer-config.js';
export { learningRate, LR_SCHEDULE_KINDS, type LrSchedule } from './lr-schedule.js';
export { trainableVariables } from './trainable-variables.js';
