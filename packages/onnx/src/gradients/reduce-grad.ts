import { attrInt, attrInts } from '../graph/node-attributes.js';
import type { OnnxNode } from '../onnx-proto.js';
import type { GradientContext, GradientRule } from './gradient-rule.js';

/** The reduced axes of a ReduceSum (input, opset ≥ 13) or other reduction (attribute, opset < 18), normalised. */
function reducedAxes(ctx: GradientContext, node: OnnxNode, rank: number): number[] {
  const axes = node.opType === 'ReduceSum' ? (node.input[1] ? ctx.graph.int64Of(node.input[1]) : undefined) : attrInts(node, 'axes');
  return (axes ?? Array.from({ length: rank }, (_, i) => i)).map((a) => (a < 0 ? a + rank : a));
}

/** dy with the reduced axes put back as 1s (a no-op with keepdims), ready to broadcast against x. */
function keptDims(ctx: GradientContext, node: OnnxNode, dy: string): { dy: string; shape: number[]; count: number } {
  const g = ctx.graph;
  const shape = g.shape(node.input[0]!);
  const axes = new Set(reducedAxes(ctx, node, shape.length));
  const count = shape.reduce((n, d, i) => (axes.has(i) ? n * d : n), 1);
  const kept = shape.map((d, i) => (axes.has(i) ? 1 : d));
  const out = attrInt(node, 'keepdims', 1) === 1 ? dy : g.op('Reshape', [dy, g.int64s(kept, 'shape')], ctx.name);
  return { dy: out, shape, count };
}

/** y = Σ x over axes: dx = dy broadcast back to x's shape. */
export const reduceSumGrad: GradientRule = {
  opType: 'ReduceSum',
  vjp(ctx, node, [dy]) {
    const k = keptDims(ctx, node, dy!);
    return [ctx.graph.op('Expand', [k.dy, ctx.graph.int64s(k.shape, 'shape')], ctx.name), null];
  },
};

/** y = mean x over axes: dx = dy / count broadcast back. */
export const reduceMeanGrad: GradientRule = {
  opType: 'ReduceMean',
  vjp(ctx, node, [dy]) {
    const g = ctx.graph;
    const k = keptDims(ctx, node, dy!);
    return [g.op('Expand', [g.op('Mul', [k.dy, g.scalar(1 / k.count)], ctx.name), g.int64s(k.shape, 'shape')], ctx.name)];
  },
};

/** y = Σ x² over axes: dx = 2·x·dy (broadcast). */
export const reduceSumSquareGrad: GradientRule = {
  opType: 'ReduceSumSquare',
  vjp(ctx, node, [dy]) {
    const g = ctx.graph;
    const k = keptDims(ctx, node, dy!);
    return [g.op('Mul', [node.input[0]!, g.op('Mul', [k.dy, g.scalar(2)], ctx.name)], ctx.name)];
  },
};
