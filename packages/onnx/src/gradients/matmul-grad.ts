import type { OnnxGraphBuilder } from '../onnx-graph-builder.js';
import type { GradientRule } from './gradient-rule.js';

/** Swaps the last two axes (onnxruntime fuses such a Transpose into the MatMul that reads it). */
function transposeLast(g: OnnxGraphBuilder, x: string, name: string): string {
  const rank = g.shape(x).length;
  const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  return g.op('Transpose', [x], name, { perm: { ints: perm } });
}

/**
 * y = a·b (batched, numpy broadcasting): da = dy·bᵀ, db = aᵀ·dy, summed over broadcast batch axes.
 * A linear layer on tokens, (…, K) · (K, N), gets its weight gradient as one 2-D MatMul over all
 * tokens: reshape to (tokens, K) and (tokens, N) rather than a batched product summed afterwards.
 */
export const matmulGrad: GradientRule = {
  opType: 'MatMul',
  vjp(ctx, node, [dy], needs) {
    const g = ctx.graph;
    const [a, b] = node.input as [string, string];
    const [sa, sb] = [g.shape(a), g.shape(b)];
    let da: string | null = null;
    let db: string | null = null;
    if (needs[0]) da = ctx.unbroadcast(g.op('MatMul', [dy!, transposeLast(g, b, ctx.name)], ctx.name), sa);
    if (needs[1]) {
      if (sb.length === 2 && sa.length > 2) {
        const [k, n] = sb as [number, number];
        const a2 = g.op('Reshape', [a, g.int64s([-1, k], 'shape')], ctx.name);
        const dy2 = g.op('Reshape', [dy!, g.int64s([-1, n], 'shape')], ctx.name);
        db = g.op('MatMul', [transposeLast(g, a2, ctx.name), dy2], ctx.name);
      } else {
        db = ctx.unbroadcast(g.op('MatMul', [transposeLast(g, a, ctx.name), dy!], ctx.name), sb);
      }
    }
    return [da, db];
  },
};
