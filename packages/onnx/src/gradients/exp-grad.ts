import type { GradientRule } from './gradient-rule.js';

/** y = eˣ: dx = dy·y. */
export const expGrad: GradientRule = {
  opType: 'Exp',
  vjp(ctx, node, [dy]) {
    return [ctx.graph.op('Mul', [dy!, node.output[0]!], ctx.name)];
  },
};
