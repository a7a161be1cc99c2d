import type { GradientRule } from './gradient-rule.js';

/**
 * y = x·relu6(x + 3)/6: dx = 0 for x < −3, dy·(x/3 + ½) for −3 ≤ x ≤ 3, dy above; the branch points
 * of PyTorch's hardswish_backward.
 */
export const hardswishGrad: GradientRule = {
  opType: 'HardSwish',
  vjp(ctx, node, [dy]) {
    const g = ctx.graph;
    const x = node.input[0]!;
    const slope = g.op('Add', [g.op('Mul', [x, g.scalar(1 / 3)], ctx.name), g.scalar(0.5)], ctx.name);
    const inner = g.op('Where', [g.op('LessOrEqual', [x, g.scalar(3)], ctx.name), slope, g.scalar(1)], ctx.name);
    const derivative = g.op('Where', [g.op('Less', [x, g.scalar(-3)], ctx.name), g.scalar(0), inner], ctx.name);
    return [g.op('Mul', [dy!, derivative], ctx.name)];
  },
};
