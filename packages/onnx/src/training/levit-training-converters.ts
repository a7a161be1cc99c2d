import type { LeViTAttentionSubsample, LeViTAttention, LeViTAttentionBase, LeViTResizeBilinear, LeViTResidual } from '@levit-unet/levit-blocks';
import type { OnnxValue } from '../conversion-context.js';
import { onlyInput, type LayerConverter } from '../layer-converter.js';
import { LEVIT_CONVERTERS } from '../levit-converters.js';
import { emitReshape } from '../onnx-ops.js';
import { emitBilinearMatMul } from './bilinear-matmul.js';
import type { TrainingContext } from './training-context.js';
import { emitLinearBN, emitTrainableConv, TORCH_BATCH_NORM, torchBatchNormKeys } from './training-ops.js';

/** A converter that needs the training context (every training converter does). */
export type TrainingConverter = (...args: Parameters<LayerConverter>) => OnnxValue[];

function training(ctx: Parameters<LayerConverter>[2]): TrainingContext {
  return ctx as TrainingContext;
}

/** Conv2d_BN: a bias-free Conv, then BatchNorm2d on batch statistics. */
const conv2dBN: TrainingConverter = (layer, call, ctx) => {
  const t = training(ctx);
  const { strides, padding } = layer as unknown as { strides: number; padding: number };
  const y = emitTrainableConv(t, onlyInput(layer, call), layer, { kernel: 'c.weight' }, { strides: [strides, strides], pads: [padding, padding, padding, padding] }, layer.name);
  return [t.batchNorm(y, layer, torchBatchNormKeys('bn.'), TORCH_BATCH_NORM, layer.name)];
};

const linearBN: TrainingConverter = (layer, call, ctx) => [emitLinearBN(training(ctx), onlyInput(layer, call), layer, '', layer.name)];

/** LeViT's MLP: Linear_BN, HardSwish, Linear_BN. */
const levitMLP: TrainingConverter = (layer, call, ctx) => {
  const t = training(ctx);
  const hidden = emitLinearBN(t, onlyInput(layer, call), layer, '0.', `${layer.name}.0`);
  const activated: OnnxValue = { ...hidden, name: t.graph.op('HardSwish', [hidden.name], layer.name) };
  return [emitLinearBN(t, activated, layer, '2.', `${layer.name}.2`)];
};

/** Residual in training: x + m(x)·mask, the mask a per-sample input (0 or 1/(1 − p)) when drop-path is on. */
const residual: TrainingConverter = (layer, call, ctx) => {
  const t = training(ctx);
  const [x, branch] = t.sameLayout(call.inputs, layer.name);
  const rate = (layer as unknown as LeViTResidual).dropPath;
  const kept = rate > 0 ? t.graph.op('Mul', [branch!.name, t.dropPathMask(layer.name, rate, t.graph.shape(branch!.name).length)], layer.name) : branch!.name;
  return [{ name: t.graph.op('Add', [x!.name, kept], layer.name), layout: x!.layout, shape: call.outputShapes[0]! }];
};

/** (B, N, H·Σparts) → per-head (B, H, N, part) pieces, keys transposed to (B, H, D, N). */
function splitHeads(t: TrainingContext, projection: string, tokens: number, heads: number, parts: number[], keysAt: number, name: string): string[] {
  const g = t.graph;
  const grouped = emitReshape(t, projection, [tokens, heads, parts.reduce((a, b) => a + b, 0)], name);
  const pieces = parts.length === 1 ? [grouped] : g.addNode('Split', [grouped, g.int64s(parts, 'split')], name, { axis: { int: 3 } }, parts.length);
  return pieces.map((piece, k) => g.op('Transpose', [piece], name, { perm: { ints: k === keysAt ? [0, 2, 3, 1] : [0, 2, 1, 3] } }));
}

/**
 * softmax(q·D^−½·kᵀ + B)·v with B = attention_biases[:, attention_bias_idxs] (a Gather of the trainable
 * table, so its gradient scatter-adds back into it), heads merged, HardSwish, the proj Linear_BN.
 */
function attendAndProject(t: TrainingContext, attention: LeViTAttentionBase, q: string, kT: string, v: string, name: string): OnnxValue {
  const g = t.graph;
  const { numQueries, numKeys, idxs } = attention.biasIndex;
  const biases = t.parameter(attention, 'attention_biases').name;
  const index = g.addInt64(`${name}.attention_bias_idxs`, BigInt64Array.from(idxs, (i) => BigInt(i)), [numQueries, numKeys]).name;
  const bias = g.op('Gather', [biases, index], name, { axis: { int: 1 } });
  const scaled = g.op('Mul', [q, g.scalar(attention.scale)], name);
  const logits = g.op('Add', [g.op('MatMul', [scaled, kT], name), bias], name);
  const attended = g.op('MatMul', [g.op('Softmax', [logits], name, { axis: { int: -1 } }), v], name);
  const merged = emitReshape(t, g.op('Transpose', [attended], name, { perm: { ints: [0, 2, 1, 3] } }), [numQueries, attention.numHeads * attention.valueDim], name);
  const activated: OnnxValue = { name: g.op('HardSwish', [merged], name), layout: 'native', shape: [null, numQueries, attention.numHeads * attention.valueDim] };
  return emitLinearBN(t, activated, attention, 'proj.1.', `${name}.proj.1`);
}

/** LeViT `Attention`: qkv Linear_BN → per head [q, k, v] → biased softmax attention → proj. */
const levitAttention: TrainingConverter = (layer, call, ctx) => {
  const t = training(ctx);
  const attention = layer as unknown as LeViTAttention;
  const { keyDim, valueDim, numHeads } = attention;
  const qkv = emitLinearBN(t, onlyInput(layer, call), layer, 'qkv.', `${layer.name}.qkv`);
  const [q, kT, v] = splitHeads(t, qkv.name, attention.biasIndex.numKeys, numHeads, [keyDim, keyDim, valueDim], 1, layer.name);
  return [attendAndProject(t, attention, q!, kT!, v!, layer.name)];
};

/** LeViT `AttentionSubsample`: keys/values from all tokens, queries from the [::stride, ::stride] grid (one Gather). */
const attentionSubsample: TrainingConverter = (layer, call, ctx) => {
  const t = training(ctx);
  const g = t.graph;
  const attention = layer as unknown as LeViTAttentionSubsample;
  const { keyDim, valueDim, numHeads } = attention;
  const { numKeys, numQueries } = attention.biasIndex;
  const x = t.asNative(onlyInput(layer, call), layer.name);
  const kv = emitLinearBN(t, x, layer, 'kv.', `${layer.name}.kv`);
  const [kT, v] = splitHeads(t, kv.name, numKeys, numHeads, [keyDim, valueDim], 0, layer.name);
  const queryTokens = g.addInt64(`${layer.name}.query_tokens`, BigInt64Array.from(attention.queryTokens, (i) => BigInt(i)), [numQueries]).name;
  const subsampled: OnnxValue = { name: g.op('Gather', [x.name, queryTokens], layer.name, { axis: { int: 1 } }), layout: 'native', shape: [null, numQueries, x.shape[2] ?? null] };
  const qProjection = emitLinearBN(t, subsampled, layer, 'q.1.', `${layer.name}.q.1`);
  const [q] = splitHeads(t, qProjection.name, numQueries, numHeads, [keyDim], -1, layer.name);
  return [attendAndProject(t, attention, q!, kT!, v!, layer.name)];
};

/** ResizeBilinear as interpolation MatMuls. */
const resizeBilinear: TrainingConverter = (layer, call, ctx) => {
  const [, h, w] = call.outputShapes[0]!;
  return [emitBilinearMatMul(training(ctx), onlyInput(layer, call), [h!, w!], (layer as unknown as LeViTResizeBilinear).alignCorners, layer.name)];
};

/** The @levit-unet/levit-blocks layers in a training graph, by tfjs class name. */
export const LEVIT_TRAINING_CONVERTERS: Record<string, TrainingConverter> = {
  LeViTConv2dBN: conv2dBN,
  LeViTLinearBN: linearBN,
  LeViTHardswish: LEVIT_CONVERTERS.LeViTHardswish!,
  LeViTMLP: levitMLP,
  LeViTResidual: residual,
  LeViTAttention: levitAttention,
  LeViTAttentionSubsample: attentionSubsample,
  LeViTResizeBilinear: resizeBilinear,
};
