import type { GradientRule } from './gradient-rule.js';

/** y = √x: dx = dy / (2y). */
export const sqrtGrad: GradientRule = {
  opType: 'Sqrt',
  vjp(ctx, node, [dy]) {
    const g = ctx.graph;
    return [g.op('Div', [g.op('Mul', [dy!, g.scalar(0.5)], ctx.name), node.output[0]!], ctx.name)];
  },
};
