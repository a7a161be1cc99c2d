import type { GradientRule } from './gradient-rule.js';

/** y = ln x: dx = dy / x. */
export const logGrad: GradientRule = {
  opType: 'Log',
  vjp(ctx, node, [dy]) {
    return [ctx.graph.op('Div', [dy!, node.input[0]!], ctx.name)];
  },
};
