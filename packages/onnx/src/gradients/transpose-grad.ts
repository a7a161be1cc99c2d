import { attrInts } from '../graph/node-attributes.js';
import type { GradientRule } from './gradient-rule.js';

/** y = transpose(x, perm): dx = transpose(dy, perm⁻¹). */
export const transposeGrad: GradientRule = {
  opType: 'Transpose',
  vjp(ctx, node, [dy]) {
    const g = ctx.graph;
    const rank = g.shape(node.input[0]!).length;
    const perm = attrInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return [g.op('Transpose', [dy!], ctx.name, { perm: { ints: inverse } })];
  },
};
