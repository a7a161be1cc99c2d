import type { GradientRule } from './gradient-rule.js';

/** y = max(x, 0): dx = dy where y > 0, else 0 (PyTorch's threshold_backward reads the output too). */
export const reluGrad: GradientRule = {
  opType: 'Relu',
  vjp(ctx, node, [dy]) {
    const g = ctx.graph;
    const zero = g.scalar(0);
    return [g.op('Where', [g.op('Greater', [node.output[0]!, zero], ctx.name), dy!, zero], ctx.name)];
  },
};
