import type { GradientRule } from './gradient-rule.js';

/** y = a + b: both take dy, summed back over what broadcasting added. */
export const addGrad: GradientRule = {
  opType: 'Add',
  vjp(ctx, node, [dy], needs) {
    return node.input.map((x, i) => (needs[i] ? ctx.unbroadcast(dy!, ctx.graph.shape(x)) : null));
  },
};
