import type { GradientRule } from './gradient-rule.js';

/** Reshape, Flatten, Squeeze, Unsqueeze: the same elements in another shape, so dx = dy reshaped back. */
function reshapeBack(opType: string): GradientRule {
  return {
    opType,
    vjp(ctx, node, [dy], needs) {
      const g = ctx.graph;
      return node.input.map((x, i) => (i === 0 && needs[0] ? g.op('Reshape', [dy!, g.int64s(g.shape(x), 'shape')], ctx.name) : null));
    },
  };
}

export const reshapeGrad = reshapeBack('Reshape');
export const flattenGrad = reshapeBack('Flatten');
export const squeezeGrad = reshapeBack('Squeeze');
export const unsqueezeGrad = reshapeBack('Unsqueeze');
