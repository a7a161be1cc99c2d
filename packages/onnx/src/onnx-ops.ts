import type { ConversionContext, OnnxValue } from './conversion-context.js';

/** What a convolution layer hands to `emitConv`: an OIHW kernel and bias, PyTorch-style explicit padding. */
export interface ConvSpec {
  /** OIHW. */
  weight: Float32Array;
  weightDims: [number, number, number, number];
  bias: Float32Array;
  strides: [number, number];
  /** [top, left, bottom, right], as ONNX `pads`. */
  pads: [number, number, number, number];
  dilations?: [number, number];
  /** Fused activation after the convolution. */
  activation?: 'linear' | 'relu';
}

/**
 * Conv (+ Relu) on an NCHW value. A Conv without activation is registered as foldable so that a
 * BatchNorm that is its only consumer can be folded into its constants.
 */
export function emitConv(ctx: ConversionContext, input: OnnxValue, spec: ConvSpec, name: string, outShape: Array<number | null>): OnnxValue {
  const x = ctx.asNchw(input, name);
  const weight = ctx.graph.addFloat(`${name}.weight`, spec.weight, spec.weightDims);
  const bias = ctx.graph.addFloat(`${name}.bias`, spec.bias, [spec.weightDims[0]]);
  const [, , kh, kw] = spec.weightDims;
  let y = ctx.graph.op('Conv', [x.name, weight.name, bias.name], name, {
    dilations: { ints: spec.dilations ?? [1, 1] },
    group: { int: 1 },
    kernel_shape: { ints: [kh, kw] },
    pads: { ints: spec.pads },
    strides: { ints: spec.strides },
  });
  if (spec.activation === 'relu') y = ctx.graph.op('Relu', [y], name);
  else ctx.foldableConvs.set(y, { weight, bias });
  return { name: y, layout: 'nchw', shape: outShape };
}

/** x·W + b over the last axis (MatMul + Add, as torch.onnx exports `nn.Linear` on tokens); W is [in, out]. */
export function emitLinear(ctx: ConversionContext, x: string, weight: Float32Array, bias: Float32Array, name: string): string {
  const out = bias.length;
  const w = ctx.graph.addFloat(`${name}.weight`, weight, [weight.length / out, out]);
  const b = ctx.graph.addFloat(`${name}.bias`, bias, [out]);
  return ctx.graph.op('Add', [ctx.graph.op('MatMul', [x, w.name], name), b.name], name);
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
