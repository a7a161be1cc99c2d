import type { GradientRule } from './gradient-rule.js';

/** y = 1/x: dx = −dy·y². */
export const reciprocalGrad: GradientRule = {
  opType: 'Reciprocal',
  vjp(ctx, node, [dy]) {
    const g = ctx.graph;
    const y = node.output[0]!;
    return [g.op('Neg', [g.op('Mul', [dy!, g.op('Mul', [y, y], ctx.name)], ctx.name)], ctx.name)];
  },
};
