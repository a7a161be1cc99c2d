import type { GradientRule } from './gradient-rule.js';

/** y = a·b: da = dy·b, db = dy·a (each summed back over broadcast axes). */
export const mulGrad: GradientRule = {
  opType: 'Mul',
  vjp(ctx, node, [dy], needs) {
    const [a, b] = node.input as [string, string];
    const g = ctx.graph;
    return [
      needs[0] ? ctx.unbroadcast(g.op('Mul', [dy!, b], ctx.name), g.shape(a)) : null,
      needs[1] ? ctx.unbroadcast(g.op('Mul', [dy!, a], ctx.name), g.shape(b)) : null,
    ];
  },
};
