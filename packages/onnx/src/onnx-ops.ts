import { BN_EPSILON, BN_MOMENTUM } from '@levit-unet/levit-blocks';
import type { layers } from '@tensorflow/tfjs-layers';
import type { BatchNormKeys, BatchNormSpec, ConversionContext, OnnxValue } from './conversion-context.js';

/** PyTorch's BatchNorm1d/2d defaults, which every official LeViT-UNet BatchNorm uses. */
export const TORCH_BATCH_NORM: BatchNormSpec = { epsilon: BN_EPSILON, batchWeight: BN_MOMENTUM, unbiasedRunning: true };

/** The `<prefix>weight/bias/running_mean/running_var` keys of a PyTorch BatchNorm inside a layer. */
export function torchBatchNormKeys(prefix: string): BatchNormKeys {
  return { gamma: `${prefix}weight`, beta: `${prefix}bias`, mean: `${prefix}running_mean`, variance: `${prefix}running_var` };
}

/** A convolution's geometry: PyTorch-style explicit padding [top, left, bottom, right], as ONNX `pads`. */
export interface ConvGeometry {
  strides: [number, number];
  pads: [number, number, number, number];
  dilations?: [number, number];
}

/** Conv of an NCHW value with a tfjs HWIO kernel weight (a Transpose to OIHW, which inference export folds), optional bias weight. */
export function emitConv(ctx: ConversionContext, input: OnnxValue, layer: layers.Layer, keys: { kernel: string; bias?: string }, conv: ConvGeometry, name: string): OnnxValue {
  const g = ctx.graph;
  const x = ctx.asNchw(input, name);
  const kernel = ctx.weight(layer, keys.kernel);
  const [kh, kw] = g.shape(kernel) as [number, number];
  const w = g.op('Transpose', [kernel], name, { perm: { ints: [3, 2, 0, 1] } });
  const y = g.op('Conv', [x.name, w, ...(keys.bias ? [ctx.weight(layer, keys.bias)] : [])], name, {
    dilations: { ints: conv.dilations ?? [1, 1] },
    group: { int: 1 },
    kernel_shape: { ints: [kh, kw] },
    pads: { ints: conv.pads },
    strides: { ints: conv.strides },
  });
  const [, co, ho, wo] = g.shape(y);
  return { name: y, layout: 'nchw', shape: [null, ho!, wo!, co!] };
}

/** x·W (+ b) on the last axis of a tfjs-order value (MatMul + Add, as torch.onnx exports `nn.Linear` on tokens); W a tfjs [in, out] weight. */
export function emitLinear(ctx: ConversionContext, input: OnnxValue, layer: layers.Layer, keys: { kernel: string; bias?: string }, name: string): OnnxValue {
  const g = ctx.graph;
  const x = ctx.asNative(input, name);
  let y = g.op('MatMul', [x.name, ctx.weight(layer, keys.kernel)], name);
  if (keys.bias) y = g.op('Add', [y, ctx.weight(layer, keys.bias)], name);
  return { name: y, layout: 'native', shape: [null, ...g.shape(y).slice(1)] };
}

/** LeViT's Linear_BN: `<prefix>c.weight` (no bias), then BatchNorm1d over all tokens (`<prefix>bn.*`). */
export function emitLinearBN(ctx: ConversionContext, input: OnnxValue, layer: layers.Layer, prefix: string, name: string): OnnxValue {
  const y = emitLinear(ctx, input, layer, { kernel: `${prefix}c.weight` }, name);
  return ctx.batchNorm(y, layer, torchBatchNormKeys(`${prefix}bn.`), TORCH_BATCH_NORM, name);
}

export type ResizeMode = 'align_corners' | 'asymmetric' | 'half_pixel';

/**
 * Resize of an NCHW value to (outH, outW). align_corners: src = dst·(in − 1)/(out − 1), which is
 * PyTorch's `align_corners=True` and tfjs `resizeBilinear(…, alignCorners = true)`; asymmetric:
 * src = dst·in/out (tfjs with alignCorners = false). The batch stays dynamic: integer factors go as
 * `scales`; other sizes as `sizes` on axes [2, 3] (opset ≥ 18) or as a scale whose product with the
 * input size truncates to exactly the output size (the coordinate rule above does not use it).
 */
export function emitResize(
  ctx: ConversionContext,
  input: OnnxValue,
  outSize: [number, number],
  options: { mode: 'linear' | 'nearest'; coordinates: ResizeMode },
  name: string,
): OnnxValue {
  const x = ctx.asNchw(input, name);
  const [, inH, inW] = x.shape;
  if (inH == null || inW == null) throw new Error(`layer ${name}: resize needs a known input height and width, got shape [${x.shape}]`);
  const [outH, outW] = outSize;
  const attributes = {
    mode: { string: options.mode },
    coordinate_transformation_mode: { string: options.coordinates },
    ...(options.mode === 'nearest' ? { nearest_mode: { string: 'floor' } } : {}),
  };
  const integral = outH % inH === 0 && outW % inW === 0;
  let inputs: string[];
  let extra = {};
  if (integral || ctx.opset < 18) {
    const scales = new Float32Array([1, 1, exactScale(inH, outH), exactScale(inW, outW)]);
    inputs = [x.name, '', ctx.graph.addFloat(`${name}.scales`, scales, [4]).name];
  } else {
    inputs = [x.name, '', '', ctx.graph.int64s([outH, outW], 'sizes')];
    extra = { axes: { ints: [2, 3] } };
  }
  const y = ctx.graph.op('Resize', inputs, name, { ...attributes, ...extra });
  // Shape inference does not read float scales: the output extent is the one asked for.
  const inShape = ctx.graph.shapeOf(x.name);
  if (inShape) ctx.graph.setShape(y, [inShape[0]!, inShape[1]!, outH, outW]);
  return { name: y, layout: 'nchw', shape: [x.shape[0], outH, outW, x.shape[3]] };
}

/** A float32 scale s with floor(s·in) = out whether the product is taken in float32 or float64 (runtimes differ). */
function exactScale(inSize: number, outSize: number): number {
  let scale = Math.fround(outSize / inSize);
  while (Math.floor(scale * inSize) < outSize || Math.floor(Math.fround(scale * inSize)) < outSize) scale = Math.fround(scale * (1 + 2 ** -23));
  return scale;
}

/** Reshape with a shape whose batch entry is 0 ("copy the input's"), keeping the batch dynamic. */
export function emitReshape(ctx: ConversionContext, x: string, shapeWithoutBatch: number[], name: string): string {
  return ctx.graph.op('Reshape', [x, ctx.graph.int64s([0, ...shapeWithoutBatch], 'shape')], name);
}
