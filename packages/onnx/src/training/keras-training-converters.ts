import { emitActivation, channelsLast, KERAS_CONVERTERS, pair, tfPads } from '../keras-converters.js';
import { layerConfig, onlyInput } from '../layer-converter.js';
import type { TrainingConverter } from './levit-training-converters.js';
import type { TrainingContext } from './training-context.js';
import { emitTrainableConv, emitTrainableLinear } from './training-ops.js';

/** Conv2D (channelsLast, valid/same padding, optional bias and activation) with trainable kernel and bias. */
const conv2d: TrainingConverter = (layer, call, ctx) => {
  const t = ctx as TrainingContext;
  channelsLast(layer);
  const config = layerConfig(layer);
  const x = t.asNchw(onlyInput(layer, call), layer.name);
  const [, , h, w] = t.graph.shape(x.name);
  const [kh, kw] = layer.weights[0]!.shape as [number, number];
  const strides = pair(config.strides, 'strides', layer);
  const dilations = pair(config.dilationRate ?? 1, 'dilationRate', layer);
  const pads = tfPads(config.padding, [h!, w!], [kh, kw], strides, dilations, layer);
  const keys = { kernel: 'kernel', ...(config.useBias === false ? {} : { bias: 'bias' }) };
  return [emitActivation(t, emitTrainableConv(t, x, layer, keys, { strides, pads, dilations }, layer.name), config.activation, layer)];
};

/** Dense on the last axis with trainable kernel and bias. */
const dense: TrainingConverter = (layer, call, ctx) => {
  const t = ctx as TrainingContext;
  const config = layerConfig(layer);
  const keys = { kernel: 'kernel', ...(config.useBias === false ? {} : { bias: 'bias' }) };
  return [emitActivation(t, emitTrainableLinear(t, onlyInput(layer, call), layer, keys, layer.name), config.activation, layer)];
};

/**
 * tfjs-layers BatchNormalization in training, as tfjs computes it: batch statistics with the biased
 * variance, moving = momentum·moving + (1 − momentum)·batch for both mean and variance.
 */
const batchNormalization: TrainingConverter = (layer, call, ctx) => {
  const t = ctx as TrainingContext;
  const config = layerConfig(layer);
  const x = onlyInput(layer, call);
  const axis = (config.axis as number) ?? -1;
  if (axis !== -1 && axis !== x.shape.length - 1) {
    throw new Error(`layer ${layer.name} (${layer.getClassName()}): only axis -1 (channels last) is supported, got ${axis}`);
  }
  const keys = {
    ...(config.scale === false ? {} : { gamma: 'gamma' }),
    ...(config.center === false ? {} : { beta: 'beta' }),
    mean: 'moving_mean',
    variance: 'moving_variance',
  };
  const spec = { epsilon: (config.epsilon as number) ?? 1e-3, batchWeight: 1 - ((config.momentum as number) ?? 0.99), unbiasedRunning: false };
  return [t.batchNorm(x, layer, keys, spec, layer.name)];
};

/** Stock tfjs-layers layers in a training graph: the weighted ones above, the weight-free ones as at inference. */
export const KERAS_TRAINING_CONVERTERS: Record<string, TrainingConverter> = {
  Conv2D: conv2d,
  Dense: dense,
  BatchNormalization: batchNormalization,
  ReLU: KERAS_CONVERTERS.ReLU!,
  Activation: KERAS_CONVERTERS.Activation!,
  Add: KERAS_CONVERTERS.Add!,
  Multiply: KERAS_CONVERTERS.Multiply!,
  Concatenate: KERAS_CONVERTERS.Concatenate!,
  Reshape: KERAS_CONVERTERS.Reshape!,
  Flatten: KERAS_CONVERTERS.Flatten!,
};
