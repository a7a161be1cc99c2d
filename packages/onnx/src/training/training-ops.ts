import { BN_EPSILON, BN_MOMENTUM } from '@levit-unet/levit-blocks';
import type { layers } from '@tensorflow/tfjs-layers';
import type { OnnxValue } from '../conversion-context.js';
import type { BatchNormSpec, TrainingContext } from './training-context.js';

/** PyTorch's BatchNorm1d/2d defaults, which every official LeViT-UNet BatchNorm uses. */
export const TORCH_BATCH_NORM: BatchNormSpec = { epsilon: BN_EPSILON, batchWeight: BN_MOMENTUM, unbiasedRunning: true };

/** The `<prefix>weight/bias/running_mean/running_var` keys of a PyTorch BatchNorm inside a layer. */
export function torchBatchNormKeys(prefix: string) {
  return { gamma: `${prefix}weight`, beta: `${prefix}bias`, mean: `${prefix}running_mean`, variance: `${prefix}running_var` };
}

/** Conv of an NCHW value with a tfjs HWIO kernel weight (transposed to OIHW inside the graph), optional bias weight. */
export function emitTrainableConv(
  ctx: TrainingContext,
  input: OnnxValue,
  layer: layers.Layer,
  keys: { kernel: string; bias?: string },
  conv: { strides: [number, number]; pads: [number, number, number, number]; dilations?: [number, number] },
  name: string,
): OnnxValue {
  const g = ctx.graph;
  const x = ctx.asNchw(input, name);
  const kernel = ctx.parameter(layer, keys.kernel);
  const [kh, kw] = kernel.dims as [number, number];
  const w = g.op('Transpose', [kernel.name], name, { perm: { ints: [3, 2, 0, 1] } });
  const inputs = [x.name, w, ...(keys.bias ? [ctx.parameter(layer, keys.bias).name] : [])];
  const y = g.op('Conv', inputs, name, {
    dilations: { ints: conv.dilations ?? [1, 1] },
    group: { int: 1 },
    kernel_shape: { ints: [kh, kw] },
    pads: { ints: conv.pads },
    strides: { ints: conv.strides },
  });
  const [n, , ho, wo] = g.shape(y);
  return { name: y, layout: 'nchw', shape: [n ?? null, ho ?? null, wo ?? null, kernel.dims[3] ?? null] };
}

/** x·W on the last axis of a tfjs-order value, W a tfjs [in, out] weight (+ optional bias weight). */
export function emitTrainableLinear(ctx: TrainingContext, input: OnnxValue, layer: layers.Layer, keys: { kernel: string; bias?: string }, name: string): OnnxValue {
  const g = ctx.graph;
  const x = ctx.asNative(input, name);
  let y = g.op('MatMul', [x.name, ctx.parameter(layer, keys.kernel).name], name);
  if (keys.bias) y = g.op('Add', [y, ctx.parameter(layer, keys.bias).name], name);
  const shape = g.shape(y);
  return { name: y, layout: 'native', shape: [null, ...shape.slice(1)] };
}

/** LeViT's Linear_BN in training: `<prefix>c.weight` then BatchNorm1d over all tokens (`<prefix>bn.*`). */
export function emitLinearBN(ctx: TrainingContext, input: OnnxValue, layer: layers.Layer, prefix: string, name: string): OnnxValue {
  const y = emitTrainableLinear(ctx, input, layer, { kernel: `${prefix}c.weight` }, name);
  return ctx.batchNorm(y, layer, torchBatchNormKeys(`${prefix}bn.`), TORCH_BATCH_NORM, name);
}
