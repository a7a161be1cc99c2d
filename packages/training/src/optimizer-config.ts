import * as tf from '@tensorflow/tfjs-core';
import { TorchAdam, type TorchAdamOptions } from './torch-adam.js';
import type { TorchOptimizer } from './torch-optimizer.js';
import { TorchSGD, type TorchSGDOptions } from './torch-sgd.js';

/** An optimizer as data (a run's config.json); the learning rate lives in the training options. */
export type OptimizerConfig = ({ name: 'adam' } & TorchAdamOptions) | ({ name: 'sgd' } & TorchSGDOptions);

/** The optimizers: PyTorch's Adam and SGD. */
export const OPTIMIZER_NAMES = ['adam', 'sgd'] as const;

/** The optimizer a config names, over `variables`. */
export function createOptimizer(config: OptimizerConfig, variables: readonly tf.Variable[]): TorchOptimizer {
  const { name, ...options } = config;
  if (name === 'adam') return new TorchAdam(variables, options as TorchAdamOptions);
  if (name === 'sgd') return new TorchSGD(variables, options as TorchSGDOptions);
  throw new Error(`unknown optimizer "${name as string}": expected ${OPTIMIZER_NAMES.join(' or ')}`);
}
