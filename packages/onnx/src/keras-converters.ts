import type { layers } from '@tensorflow/tfjs-layers';
import { layerVariable, type ConversionContext, type OnnxValue } from './conversion-context.js';
import { layerConfig, onlyInput, type LayerConverter } from './layer-converter.js';
import { emitConv, emitLinear, emitReshape, emitResize } from './onnx-ops.js';

export function pair(value: unknown, field: string, layer: layers.Layer): [number, number] {
  const v = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => Number.isInteger(n))) {
    throw new Error(`layer ${layer.name} (${layer.getClassName()}): ${field} must be an integer or a pair of integers, got ${JSON.stringify(value)}`);
  }
  return v as [number, number];
}

export function channelsLast(layer: layers.Layer): void {
  const format = layerConfig(layer).dataFormat;
  if (format != null && format !== 'channelsLast') {
    throw new Error(`layer ${layer.name} (${layer.getClassName()}): only dataFormat 'channelsLast' is supported, got '${String(format)}'`);
  }
}

/** ONNX `pads` [top, left, bottom, right] of TF padding 'valid' or 'same' (the extra pixel goes bottom/right, as TF). */
export function tfPads(padding: unknown, inSize: [number | null, number | null], kernel: [number, number], strides: [number, number], dilations: [number, number], layer: layers.Layer): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new Error(`layer ${layer.name} (${layer.getClassName()}): padding '${String(padding)}' is not supported (valid, same)`);
  const before: number[] = [];
  const after: number[] = [];
  for (let a = 0; a < 2; a++) {
    const n = inSize[a];
    if (n == null) throw new Error(`layer ${layer.name} (${layer.getClassName()}): padding 'same' needs a known input height and width`);
    const out = Math.ceil(n / strides[a]);
    const total = Math.max((out - 1) * strides[a] + (kernel[a] - 1) * dilations[a] + 1 - n, 0);
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [before[0], before[1], after[0], after[1]];
}

/** A tfjs activation (by its serialised name) applied to a value; `linear` adds nothing. */
export function emitActivation(ctx: ConversionContext, x: OnnxValue, activation: unknown, layer: layers.Layer): OnnxValue {
  const name = layer.name;
  const g = ctx.graph;
  const keep = (y: string): OnnxValue => ({ name: y, layout: x.layout, shape: x.shape });
  switch (activation ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return keep(g.op('Relu', [x.name], name));
    case 'relu6':
      return keep(g.op('Clip', [x.name, g.addFloat(`${name}.min`, new Float32Array([0]), []).name, g.addFloat(`${name}.max`, new Float32Array([6]), []).name], name));
    case 'sigmoid':
      return keep(g.op('Sigmoid', [x.name], name));
    case 'hardSigmoid':
      return keep(g.op('HardSigmoid', [x.name], name, { alpha: { float: 0.2 }, beta: { float: 0.5 } }));
    case 'tanh':
      return keep(g.op('Tanh', [x.name], name));
    case 'elu':
      return keep(g.op('Elu', [x.name], name));
    case 'selu':
      return keep(g.op('Selu', [x.name], name));
    case 'softplus':
      return keep(g.op('Softplus', [x.name], name));
    case 'swish':
      return keep(g.op('Mul', [x.name, g.op('Sigmoid', [x.name], name)], name));
    case 'softmax':
      return keep(g.op('Softmax', [x.name], name, { axis: { int: ctx.onnxAxis(x, -1) } }));
    default:
      throw new Error(`layer ${name} (${layer.getClassName()}): activation '${String(activation)}' is not supported`);
  }
}

/** The weight keys of a Conv2D / Dense: `kernel`, and `bias` unless useBias is off. */
function kernelAndBias(layer: layers.Layer): { kernel: string; bias?: string } {
  return { kernel: 'kernel', ...(layerConfig(layer).useBias === false ? {} : { bias: 'bias' }) };
}

/** Conv2D (channelsLast, valid/same padding, optional bias and activation). */
const conv2d: LayerConverter = (layer, call, ctx) => {
  channelsLast(layer);
  const config = layerConfig(layer);
  const x = ctx.asNchw(onlyInput(layer, call), layer.name);
  const [, , h, w] = ctx.graph.shape(x.name);
  const [kh, kw] = layerVariable(layer, 'kernel').shape as [number, number];
  const strides = pair(config.strides, 'strides', layer);
  const dilations = pair(config.dilationRate ?? 1, 'dilationRate', layer);
  const pads = tfPads(config.padding, [h!, w!], [kh, kw], strides, dilations, layer);
  return [emitActivation(ctx, emitConv(ctx, x, layer, kernelAndBias(layer), { strides, pads, dilations }, layer.name), config.activation, layer)];
};

/** Dense on the last axis: MatMul + Add (+ activation). */
const dense: LayerConverter = (layer, call, ctx) => [emitActivation(ctx, emitLinear(ctx, onlyInput(layer, call), layer, kernelAndBias(layer), layer.name), layerConfig(layer).activation, layer)];

/**
 * tfjs-layers BatchNormalization over the last axis, ε and momentum from its config (tfjs' defaults
 * 1e-3 and 0.99; its moving variance is the biased batch variance).
 */
const batchNormalization: LayerConverter = (layer, call, ctx) => {
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
  return [ctx.batchNorm(x, layer, keys, spec, layer.name)];
};

/** ReLU layer (maxValue → Clip). */
const relu: LayerConverter = (layer, call, ctx) => {
  const x = onlyInput(layer, call);
  const maxValue = layerConfig(layer).maxValue;
  if (maxValue == null) return [{ name: ctx.graph.op('Relu', [x.name], layer.name), layout: x.layout, shape: x.shape }];
  const min = ctx.graph.addFloat(`${layer.name}.min`, new Float32Array([0]), []).name;
  const max = ctx.graph.addFloat(`${layer.name}.max`, new Float32Array([maxValue as number]), []).name;
  return [{ name: ctx.graph.op('Clip', [x.name, min, max], layer.name), layout: x.layout, shape: x.shape }];
};

const activation: LayerConverter = (layer, call, ctx) => [emitActivation(ctx, onlyInput(layer, call), layerConfig(layer).activation, layer)];

/** Add / Multiply of any number of inputs, in one layout. */
function elementwise(opType: 'Add' | 'Mul'): LayerConverter {
  return (layer, call, ctx) => {
    const inputs = ctx.sameLayout(call.inputs, layer.name);
    const y = inputs.slice(1).reduce((acc, v) => ctx.graph.op(opType, [acc, v.name], layer.name), inputs[0].name);
    return [{ name: y, layout: inputs[0].layout, shape: call.outputShapes[0] }];
  };
}

/** Concatenate on the configured tfjs axis (the channel axis of NCHW maps for −1 on feature maps). */
const concatenate: LayerConverter = (layer, call, ctx) => {
  const inputs = ctx.sameLayout(call.inputs, layer.name);
  const axis = ctx.onnxAxis(inputs[0], (layerConfig(layer).axis as number) ?? -1);
  return [{ name: ctx.graph.op('Concat', inputs.map((v) => v.name), layer.name, { axis: { int: axis } }), layout: inputs[0].layout, shape: call.outputShapes[0] }];
};

/** Reshape in tfjs axis order (a map leaves NCHW first), batch kept dynamic. */
const reshape: LayerConverter = (layer, call, ctx) => {
  const x = ctx.asNative(onlyInput(layer, call), layer.name);
  const target = layerConfig(layer).targetShape as number[];
  return [{ name: emitReshape(ctx, x.name, target, layer.name), layout: 'native', shape: call.outputShapes[0] }];
};

const flatten: LayerConverter = (layer, call, ctx) => {
  const x = ctx.asNative(onlyInput(layer, call), layer.name);
  return [{ name: emitReshape(ctx, x.name, [-1], layer.name), layout: 'native', shape: call.outputShapes[0] }];
};

/** Inference-time identities (dropout and noise layers). */
const identity: LayerConverter = (layer, call) => [onlyInput(layer, call)];

/** UpSampling2D: nearest (floor) or bilinear, both with tfjs' src = dst·in/out. */
const upSampling2d: LayerConverter = (layer, call, ctx) => {
  channelsLast(layer);
  const config = layerConfig(layer);
  const [, h, w] = call.outputShapes[0];
  const mode = config.interpolation === 'bilinear' ? 'linear' : 'nearest';
  return [emitResize(ctx, onlyInput(layer, call), [h as number, w as number], { mode, coordinates: 'asymmetric' }, layer.name)];
};

/** MaxPooling2D / AveragePooling2D (padding excluded from averages, as TF). */
function pooling(opType: 'MaxPool' | 'AveragePool'): LayerConverter {
  return (layer, call, ctx) => {
    channelsLast(layer);
    const config = layerConfig(layer);
    const x = ctx.asNchw(onlyInput(layer, call), layer.name);
    const kernel = pair(config.poolSize, 'poolSize', layer);
    const strides = pair(config.strides ?? config.poolSize, 'strides', layer);
    const pads = tfPads(config.padding, [x.shape[1], x.shape[2]], kernel, strides, [1, 1], layer);
    const y = ctx.graph.op(opType, [x.name], layer.name, { kernel_shape: { ints: kernel }, strides: { ints: strides }, pads: { ints: pads } });
    return [{ name: y, layout: 'nchw', shape: call.outputShapes[0] }];
  };
}

/** Stock tfjs-layers layers, by class name. */
export const KERAS_CONVERTERS: Record<string, LayerConverter> = {
  Conv2D: conv2d,
  Dense: dense,
  BatchNormalization: batchNormalization,
  ReLU: relu,
  Activation: activation,
  Add: elementwise('Add'),
  Multiply: elementwise('Mul'),
  Concatenate: concatenate,
  Reshape: reshape,
  Flatten: flatten,
  Dropout: identity,
  SpatialDropout1D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  UpSampling2D: upSampling2d,
  MaxPooling2D: pooling('MaxPool'),
  AveragePooling2D: pooling('AveragePool'),
};
