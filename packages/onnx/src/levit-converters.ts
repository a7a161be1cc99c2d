import type { LeViTAttention, LeViTAttentionBase, LeViTAttentionSubsample, LeViTResidual, LeViTResizeBilinear } from '@levit-unet/levit-blocks';
import type { ConversionContext, OnnxValue } from './conversion-context.js';
import { onlyInput, type LayerConverter } from './layer-converter.js';
import { emitConv, emitLinearBN, emitReshape, TORCH_BATCH_NORM, torchBatchNormKeys } from './onnx-ops.js';

/** Conv2d_BN: a bias-free Conv, then BatchNorm2d (padding symmetric, as PyTorch). */
const conv2dBN: LayerConverter = (layer, call, ctx) => {
  const { strides, padding } = layer as unknown as { strides: number; padding: number };
  const y = emitConv(ctx, onlyInput(layer, call), layer, { kernel: 'c.weight' }, { strides: [strides, strides], pads: [padding, padding, padding, padding] }, layer.name);
  return [ctx.batchNorm(y, layer, torchBatchNormKeys('bn.'), TORCH_BATCH_NORM, layer.name)];
};

/** Linear_BN on tokens (B, N, C) or vectors (B, C). */
const linearBN: LayerConverter = (layer, call, ctx) => [emitLinearBN(ctx, onlyInput(layer, call), layer, '', layer.name)];

/** Elementwise HardSwish (opset 14), in whatever layout the input has. */
const hardswish: LayerConverter = (layer, call, ctx) => {
  const x = onlyInput(layer, call);
  return [{ name: ctx.graph.op('HardSwish', [x.name], layer.name), layout: x.layout, shape: call.outputShapes[0]! }];
};

/** LeViT's MLP: Linear_BN, HardSwish, Linear_BN. */
const levitMLP: LayerConverter = (layer, call, ctx) => {
  const hidden = emitLinearBN(ctx, onlyInput(layer, call), layer, '0.', `${layer.name}.0`);
  const activated: OnnxValue = { ...hidden, name: ctx.graph.op('HardSwish', [hidden.name], layer.name) };
  return [emitLinearBN(ctx, activated, layer, '2.', `${layer.name}.2`)];
};

/** Residual: x + drop_path(m(x)) (the branch itself at inference, times a per-sample mask in training). */
const residual: LayerConverter = (layer, call, ctx) => {
  const [x, branch] = ctx.sameLayout(call.inputs, layer.name);
  const kept = ctx.dropPath(branch!.name, (layer as unknown as LeViTResidual).dropPath, layer.name);
  return [{ name: ctx.graph.op('Add', [x!.name, kept], layer.name), layout: x!.layout, shape: call.outputShapes[0]! }];
};

/** (B, N, H·Σparts) → per-head (B, H, N, part) pieces, the one at `keysAt` transposed to (B, H, D, N) so that q·kᵀ is a plain MatMul. */
function splitHeads(ctx: ConversionContext, projection: string, tokens: number, heads: number, parts: number[], keysAt: number, name: string): string[] {
  const g = ctx.graph;
  const grouped = emitReshape(ctx, projection, [tokens, heads, parts.reduce((a, b) => a + b, 0)], name);
  const pieces = parts.length === 1 ? [grouped] : g.addNode('Split', [grouped, g.int64s(parts, 'split')], name, { axis: { int: 3 } }, parts.length);
  return pieces.map((piece, k) => g.op('Transpose', [piece], name, { perm: { ints: k === keysAt ? [0, 2, 3, 1] : [0, 2, 1, 3] } }));
}

/**
 * softmax(q·D^−½·kᵀ + B)·v with B = attention_biases[:, attention_bias_idxs] (a Gather of the table: a
 * constant (H, Nq, Nk) table once inference export folds it, as the official eval() caches it; in
 * training its gradient scatter-adds back into the table), heads merged, HardSwish, the proj Linear_BN.
 */
function attendAndProject(ctx: ConversionContext, attention: LeViTAttentionBase, q: string, kT: string, v: string, name: string): OnnxValue {
  const g = ctx.graph;
  const { numQueries, numKeys, idxs } = attention.biasIndex;
  const index = g.addInt64(`${name}.attention_bias_idxs`, BigInt64Array.from(idxs, (i) => BigInt(i)), [numQueries, numKeys]).name;
  const bias = g.op('Gather', [ctx.weight(attention, 'attention_biases'), index], name, { axis: { int: 1 } });
  const scaled = g.op('Mul', [q, g.scalar(attention.scale)], name);
  const logits = g.op('Add', [g.op('MatMul', [scaled, kT], name), bias], name);
  const attended = g.op('MatMul', [g.op('Softmax', [logits], name, { axis: { int: -1 } }), v], name);
  const merged = emitReshape(ctx, g.op('Transpose', [attended], name, { perm: { ints: [0, 2, 1, 3] } }), [numQueries, attention.numHeads * attention.valueDim], name);
  const activated: OnnxValue = { name: g.op('HardSwish', [merged], name), layout: 'native', shape: [null, numQueries, attention.numHeads * attention.valueDim] };
  return emitLinearBN(ctx, activated, attention, 'proj.1.', `${name}.proj.1`);
}

/** LeViT `Attention`: qkv Linear_BN → per head [q, k, v] → biased softmax attention → proj. */
const levitAttention: LayerConverter = (layer, call, ctx) => {
  const attention = layer as unknown as LeViTAttention;
  const { keyDim, valueDim, numHeads } = attention;
  const qkv = emitLinearBN(ctx, onlyInput(layer, call), layer, 'qkv.', `${layer.name}.qkv`);
  const [q, kT, v] = splitHeads(ctx, qkv.name, attention.biasIndex.numKeys, numHeads, [keyDim, keyDim, valueDim], 1, layer.name);
  return [attendAndProject(ctx, attention, q!, kT!, v!, layer.name)];
};

/** LeViT `AttentionSubsample`: keys/values from all tokens, queries from the [::stride, ::stride] grid (one Gather). */
const attentionSubsample: LayerConverter = (layer, call, ctx) => {
  const g = ctx.graph;
  const attention = layer as unknown as LeViTAttentionSubsample;
  const { keyDim, valueDim, numHeads } = attention;
  const { numKeys, numQueries } = attention.biasIndex;
  const x = ctx.asNative(onlyInput(layer, call), layer.name);
  const kv = emitLinearBN(ctx, x, layer, 'kv.', `${layer.name}.kv`);
  const [kT, v] = splitHeads(ctx, kv.name, numKeys, numHeads, [keyDim, valueDim], 0, layer.name);
  const queryTokens = g.addInt64(`${layer.name}.query_tokens`, BigInt64Array.from(attention.queryTokens, (i) => BigInt(i)), [numQueries]).name;
  const subsampled: OnnxValue = { name: g.op('Gather', [x.name, queryTokens], layer.name, { axis: { int: 1 } }), layout: 'native', shape: [null, numQueries, x.shape[2] ?? null] };
  const qProjection = emitLinearBN(ctx, subsampled, layer, 'q.1.', `${layer.name}.q.1`);
  const [q] = splitHeads(ctx, qProjection.name, numQueries, numHeads, [keyDim], -1, layer.name);
  return [attendAndProject(ctx, attention, q!, kT!, v!, layer.name)];
};

/** ResizeBilinear by scale or to a size, align_corners as the layer says. */
const resizeBilinear: LayerConverter = (layer, call, ctx) => {
  const [, h, w] = call.outputShapes[0]!;
  if (h == null || w == null) throw new Error(`layer ${layer.name} (${layer.getClassName()}): output size unknown, shape [${call.outputShapes[0]}]`);
  return [ctx.resizeBilinear(onlyInput(layer, call), [h, w], (layer as unknown as LeViTResizeBilinear).alignCorners, layer.name)];
};

/** The @levit-unet/levit-blocks layers, by tfjs class name. */
export const LEVIT_CONVERTERS: Record<string, LayerConverter> = {
  LeViTConv2dBN: conv2dBN,
  LeViTLinearBN: linearBN,
  LeViTHardswish: hardswish,
  LeViTMLP: levitMLP,
  LeViTResidual: residual,
  LeViTAttention: levitAttention,
  LeViTAttentionSubsample: attentionSubsample,
  LeViTResizeBilinear: resizeBilinear,
};
