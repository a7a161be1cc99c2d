import { attrInt } from '../graph/node-attributes.js';
import type { GradientRule } from './gradient-rule.js';

/** Concat along `axis`: each input's gradient is its slab of dy (one Split). */
export const concatGrad: GradientRule = {
  opType: 'Concat',
  vjp(ctx, node, [dy], needs) {
    const g = ctx.graph;
    const rank = g.shape(node.input[0]!).length;
    const a = attrInt(node, 'axis', 0);
    const axis = a < 0 ? a + rank : a;
    const sizes = node.input.map((x) => g.shape(x)[axis]!);
    const pieces = g.addNode('Split', [dy!, g.int64s(sizes, 'split')], ctx.name, { axis: { int: axis } }, sizes.length);
    return pieces.map((p, i) => (needs[i] ? p : null));
  },
};
