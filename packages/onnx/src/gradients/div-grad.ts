import type { GradientRule } from './gradient-rule.js';

/** y = a / b: da = dy / b, db = −dy·a / b² = −(dy / b)·y. */
export const divGrad: GradientRule = {
  opType: 'Div',
  vjp(ctx, node, [dy], needs) {
    const [a, b] = node.input as [string, string];
    const g = ctx.graph;
    const dyOverB = g.op('Div', [dy!, b], ctx.name);
    return [
      needs[0] ? ctx.unbroadcast(dyOverB, g.shape(a)) : null,
      needs[1] ? ctx.unbroadcast(g.op('Neg', [g.op('Mul', [dyOverB, node.output[0]!], ctx.name)], ctx.name), g.shape(b)) : null,
    ];
  },
};
