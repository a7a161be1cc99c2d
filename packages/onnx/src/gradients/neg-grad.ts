import type { GradientRule } from './gradient-rule.js';

/** y = −x: dx = −dy. */
export const negGrad: GradientRule = {
  opType: 'Neg',
  vjp(ctx, _node, [dy]) {
    return [ctx.graph.op('Neg', [dy!], ctx.name)];
  },
};
