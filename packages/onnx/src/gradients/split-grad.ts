import { attrInt } from '../graph/node-attributes.js';
import type { GradientRule } from './gradient-rule.js';

/** Split along `axis`: dx = concat of the pieces' gradients (zeros for a piece nothing uses). */
export const splitGrad: GradientRule = {
  opType: 'Split',
  vjp(ctx, node, dOutputs) {
    const g = ctx.graph;
    const pieces = node.output.map((y, k) => dOutputs[k] ?? ctx.zeros(g.shape(y)));
    return [g.op('Concat', pieces, ctx.name, { axis: { int: attrInt(node, 'axis', 0) } }), null];
  },
};
