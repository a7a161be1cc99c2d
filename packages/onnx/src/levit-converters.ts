import { BN_EPSILON, type LeViTAttentionSubsample, type LeViTAttention, type LeViTAttentionBase, type LeViTResizeBilinear } from '@levit-unet/levit-blocks';
import type { layers } from '@tensorflow/tfjs-layers';
import { batchNormScaleShift, foldedBias, hwioToOihw, scaleColumns, type ScaleShift } from './batch-norm-folding.js';
import { readLayerWeights, weight, type ConversionContext, type LayerWeights } from './conversion-context.js';
import { onlyInput, type LayerConverter } from './layer-converter.js';
import { emitConv, emitLinear, emitReshape, emitResize } from './onnx-ops.js';

/** A `<prefix>c.weight` + `<prefix>bn.*` pair (LeViT's Linear_BN / Conv2d_BN): the weight and its BatchNorm as scale and shift. */
function weightAndBatchNorm(weights: LayerWeights, prefix: string, layer: layers.Layer): { kernel: Float32Array; shape: number[]; bn: ScaleShift } {
  const kernel = weight(weights, `${prefix}c.weight`, layer);
  const bn = batchNormScaleShift(
    weight(weights, `${prefix}bn.running_mean`, layer).data,
    weight(weights, `${prefix}bn.running_var`, layer).data,
    BN_EPSILON,
    weight(weights, `${prefix}bn.weight`, layer).data,
    weight(weights, `${prefix}bn.bias`, layer).data,
  );
  return { kernel: kernel.data, shape: kernel.shape, bn };
}

/**
 * Linear_BN as MatMul + Add with the BatchNorm folded in: W·scale, shift. `outputScale` multiplies output
 * column c as well (the attention's D^−½ on the query columns), in float64 before the one rounding to float32.
 */
function linearBN(ctx: ConversionContext, x: string, weights: LayerWeights, prefix: string, layer: layers.Layer, name: string, outputScale: (column: number) => number = () => 1): string {
  const { kernel, shape, bn } = weightAndBatchNorm(weights, prefix, layer);
  const scale = Float64Array.from(bn.scale, (s, c) => s * outputScale(c));
  const bias = Float32Array.from(bn.shift, (t, c) => t * outputScale(c));
  return emitLinear(ctx, x, scaleColumns(kernel, shape[1], scale), bias, name);
}

/** Conv2d_BN: one Conv with the BatchNorm folded into its kernel and bias (padding symmetric, as PyTorch). */
const conv2dBN: LayerConverter = (layer, call, ctx) => {
  const { strides, padding } = layer as unknown as { strides: number; padding: number };
  const { kernel, shape, bn } = weightAndBatchNorm(readLayerWeights(layer), '', layer);
  const [kh, kw, ci, co] = shape;
  return [
    emitConv(
      ctx,
      onlyInput(layer, call),
      { weight: hwioToOihw(kernel, shape, bn.scale), weightDims: [co, ci, kh, kw], bias: foldedBias(bn), strides: [strides, strides], pads: [padding, padding, padding, padding] },
      layer.name,
      call.outputShapes[0],
    ),
  ];
};

/** Linear_BN on tokens (B, N, C) or vectors (B, C). */
const linearBNLayer: LayerConverter = (layer, call, ctx) => {
  const x = ctx.asNative(onlyInput(layer, call), layer.name);
  return [{ name: linearBN(ctx, x.name, readLayerWeights(layer), '', layer, layer.name), layout: 'native', shape: call.outputShapes[0] }];
};

/** Elementwise HardSwish (opset 14), in whatever layout the input has. */
const hardswish: LayerConverter = (layer, call, ctx) => {
  const x = onlyInput(layer, call);
  return [{ name: ctx.graph.op('HardSwish', [x.name], layer.name), layout: x.layout, shape: call.outputShapes[0] }];
};

/** LeViT's MLP: Linear_BN, HardSwish, Linear_BN. */
const levitMLP: LayerConverter = (layer, call, ctx) => {
  const x = ctx.asNative(onlyInput(layer, call), layer.name);
  const weights = readLayerWeights(layer);
  const hidden = ctx.graph.op('HardSwish', [linearBN(ctx, x.name, weights, '0.', layer, `${layer.name}.0`)], layer.name);
  return [{ name: linearBN(ctx, hidden, weights, '2.', layer, `${layer.name}.2`), layout: 'native', shape: call.outputShapes[0] }];
};

/** Residual at inference: x + m(x). */
const residual: LayerConverter = (layer, call, ctx) => {
  const [x, branch] = ctx.sameLayout(call.inputs, layer.name);
  return [{ name: ctx.graph.op('Add', [x.name, branch.name], layer.name), layout: x.layout, shape: call.outputShapes[0] }];
};

/** `attention_biases[:, attention_bias_idxs]`: the (H, Nq, Nk) table the official eval() caches, as one constant. */
function gatheredBiases(attention: LeViTAttentionBase, weights: LayerWeights): Float32Array {
  const biases = weight(weights, 'attention_biases', attention).data;
  const { idxs, numOffsets } = attention.biasIndex;
  const out = new Float32Array(attention.numHeads * idxs.length);
  for (let h = 0; h < attention.numHeads; h++) {
    for (let j = 0; j < idxs.length; j++) out[h * idxs.length + j] = biases[h * numOffsets + idxs[j]];
  }
  return out;
}

/**
 * (B, N, H·(parts)) projections → per-head (B, H, N, part) tensors: Reshape to (B, N, H, Σparts), Split
 * on the last axis, one Transpose each (`perms`); keys get [0, 2, 3, 1] so that q·kᵀ is a plain MatMul.
 */
function splitHeads(ctx: ConversionContext, projection: string, tokens: number, heads: number, parts: number[], perms: number[][], name: string): string[] {
  const grouped = emitReshape(ctx, projection, [tokens, heads, parts.reduce((a, b) => a + b, 0)], name);
  const pieces = parts.length === 1 ? [grouped] : ctx.graph.addNode('Split', [grouped, ctx.graph.int64s(parts, 'split')], name, { axis: { int: 3 } }, parts.length);
  return pieces.map((piece, k) => ctx.graph.op('Transpose', [piece], name, { perm: { ints: perms[k] } }));
}

const HEADS_FIRST = [0, 2, 1, 3];
const KEYS_TRANSPOSED = [0, 2, 3, 1];

/** softmax(q·kᵀ + bias)·v (the D^−½ is folded into q), heads merged back, HardSwish, proj Linear_BN. */
function attendAndProject(ctx: ConversionContext, attention: LeViTAttentionBase, weights: LayerWeights, q: string, kT: string, v: string, name: string): string {
  const { numQueries, numKeys } = attention.biasIndex;
  const heads = attention.numHeads;
  const bias = ctx.graph.addFloat(`${name}.attention_bias`, gatheredBiases(attention, weights), [heads, numQueries, numKeys]);
  const logits = ctx.graph.op('Add', [ctx.graph.op('MatMul', [q, kT], name), bias.name], name);
  const attended = ctx.graph.op('MatMul', [ctx.graph.op('Softmax', [logits], name, { axis: { int: -1 } }), v], name);
  const merged = emitReshape(ctx, ctx.graph.op('Transpose', [attended], name, { perm: { ints: HEADS_FIRST } }), [numQueries, heads * attention.valueDim], name);
  return linearBN(ctx, ctx.graph.op('HardSwish', [merged], name), weights, 'proj.1.', attention, `${name}.proj.1`);
}

/** The query columns of head h are the first keyDim of each head's group: scale them by D^−½. */
function queryScale(attention: LeViTAttentionBase, groupWidth: number): (column: number) => number {
  return (column) => (column % groupWidth < attention.keyDim ? attention.scale : 1);
}

/** LeViT `Attention`: qkv Linear_BN → per head [q, k, v] → biased softmax attention → proj. */
const levitAttention: LayerConverter = (layer, call, ctx) => {
  const attention = layer as unknown as LeViTAttention;
  const x = ctx.asNative(onlyInput(layer, call), layer.name);
  const weights = readLayerWeights(layer);
  const { keyDim, valueDim, numHeads } = attention;
  const tokens = attention.biasIndex.numKeys;
  const group = 2 * keyDim + valueDim;
  const qkv = linearBN(ctx, x.name, weights, 'qkv.', layer, `${layer.name}.qkv`, queryScale(attention, group));
  const [q, kT, v] = splitHeads(ctx, qkv, tokens, numHeads, [keyDim, keyDim, valueDim], [HEADS_FIRST, KEYS_TRANSPOSED, HEADS_FIRST], layer.name);
  return [{ name: attendAndProject(ctx, attention, weights, q, kT, v, layer.name), layout: 'native', shape: call.outputShapes[0] }];
};

/** LeViT `AttentionSubsample`: keys/values from all tokens, queries from the [::stride, ::stride] grid (one Gather). */
const attentionSubsample: LayerConverter = (layer, call, ctx) => {
  const attention = layer as unknown as LeViTAttentionSubsample;
  const x = ctx.asNative(onlyInput(layer, call), layer.name);
  const weights = readLayerWeights(layer);
  const { keyDim, valueDim, numHeads } = attention;
  const { numKeys, numQueries } = attention.biasIndex;
  const kv = linearBN(ctx, x.name, weights, 'kv.', layer, `${layer.name}.kv`);
  const [kT, v] = splitHeads(ctx, kv, numKeys, numHeads, [keyDim, valueDim], [KEYS_TRANSPOSED, HEADS_FIRST], layer.name);
  const subsampled = ctx.graph.op('Gather', [x.name, ctx.graph.int64s([...attention.queryTokens], `${layer.name}.query_tokens`)], layer.name, { axis: { int: 1 } });
  const qProjection = linearBN(ctx, subsampled, weights, 'q.1.', layer, `${layer.name}.q.1`, () => attention.scale);
  const [q] = splitHeads(ctx, qProjection, numQueries, numHeads, [keyDim], [HEADS_FIRST], layer.name);
  return [{ name: attendAndProject(ctx, attention, weights, q, kT, v, layer.name), layout: 'native', shape: call.outputShapes[0] }];
};

/** ResizeBilinear by scale or to a size, align_corners as the layer says. */
const resizeBilinear: LayerConverter = (layer, call, ctx) => {
  const resize = layer as unknown as LeViTResizeBilinear;
  const [, h, w] = call.outputShapes[0];
  if (h == null || w == null) throw new Error(`layer ${layer.name} (${layer.getClassName()}): output size unknown, shape [${call.outputShapes[0]}]`);
  return [emitResize(ctx, onlyInput(layer, call), [h, w], { mode: 'linear', coordinates: resize.alignCorners ? 'align_corners' : 'asymmetric' }, layer.name)];
};

/** The @levit-unet/levit-blocks layers, by tfjs class name. */
export const LEVIT_CONVERTERS: Record<string, LayerConverter> = {
  LeViTConv2dBN: conv2dBN,
  LeViTLinearBN: linearBNLayer,
  LeViTHardswish: hardswish,
  LeViTMLP: levitMLP,
  LeViTResidual: residual,
  LeViTAttention: levitAttention,
  LeViTAttentionSubsample: attentionSubsample,
  LeViTResizeBilinear: resizeBilinear,
};
