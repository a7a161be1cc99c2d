import type { GradientRule } from './gradient-rule.js';

/** y = a − b: da = dy, db = −dy (each summed back over broadcast axes). */
export const subGrad: GradientRule = {
  opType: 'Sub',
  vjp(ctx, node, [dy], needs) {
    const [a, b] = node.input as [string, string];
    return [
      needs[0] ? ctx.unbroadcast(dy!, ctx.graph.shape(a)) : null,
      needs[1] ? ctx.unbroadcast(ctx.graph.op('Neg', [dy!], ctx.name), ctx.graph.shape(b)) : null,
    ];
  },
};
