import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { deriveSeed } from '@levit-unet/datasets';
import type { TrainingEngine, TrainingEngineFactory } from '../training-engine.js';
import { trainableVariables } from '../trainable-variables.js';
import type { ResolvedTrainConfig } from './run-config.js';
import type { OpenedTrainData } from './train-data.js';

/** A run's engine with the variables its optimizer state is keyed by. */
export interface RunEngine {
  engine: TrainingEngine;
  variables: tf.Variable[];
}

/**
 * The [H, W] the engine trains at: the model's input when fixed, else the Synapse slice size, else
 * (a custom source into a model of any size) the first slice's, loaded as epoch 0 would load it.
 */
async function imageSize(model: LayersModel, data: OpenedTrainData, seed: number): Promise<[number, number]> {
  const [, h, w] = model.inputs[0]!.shape;
  if (typeof h === 'number' && typeof w === 'number') return [h, w];
  if (data.description.kind === 'synapse') return [data.description.imgSize, data.description.imgSize];
  const [sh, sw] = (await data.source.load(0, 0, deriveSeed(seed, 0, 0))).label.shape;
  return [sh!, sw!];
}

/** Starts `factory`'s engine on `model`'s current values with the run's recipe. */
export async function startEngine(factory: TrainingEngineFactory, model: LayersModel, train: ResolvedTrainConfig, data: OpenedTrainData): Promise<RunEngine> {
  const variables = trainableVariables(model);
  const engine = await factory({
    model,
    optimizer: train.optimizer,
    numClasses: train.numClasses,
    lossWeights: train.lossWeights,
    batchSize: train.batchSize,
    imageSize: await imageSize(model, data, train.seed),
    variables,
  });
  return { engine, variables };
}
