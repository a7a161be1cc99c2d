import { attrInt } from '../graph/node-attributes.js';
import type { GradientRule } from './gradient-rule.js';

/**
 * y = gather(x, indices, axis) with constant indices (token subsampling, LeViT's attention-bias table):
 * dx = scatter-add of dy into zeros at the same indices (ScatterElements, reduction add, opset ≥ 16),
 * so repeated indices (every query at the same offset) sum their gradients.
 */
export const gatherGrad: GradientRule = {
  opType: 'Gather',
  vjp(ctx, node, [dy], needs) {
    if (!needs[0]) return [null, null];
    const g = ctx.graph;
    const [x, indices] = node.input as [string, string];
    const values = g.int64Of(indices);
    if (!values) throw new Error(`Gather node ${node.name}: gradients need constant indices`);
    const shape = g.shape(x);
    const a = attrInt(node, 'axis', 0);
    const axis = a < 0 ? a + shape.length : a;
    const flat = [...shape.slice(0, axis), values.length, ...shape.slice(axis + 1)];
    const dyFlat = g.op('Reshape', [dy!, g.int64s(flat, 'shape')], ctx.name);
    const indexShape = flat.map((d, i) => (i === axis ? d : 1));
    const normalised = BigInt64Array.from(values, (v) => BigInt(v < 0 ? v + shape[axis]! : v));
    const index = g.addInt64(`${node.name}.grad_indices`, normalised, indexShape).name;
    const expanded = g.op('Expand', [index, g.int64s(flat, 'shape')], ctx.name);
    const dx = g.op('ScatterElements', [ctx.zeros(shape), expanded, dyFlat], ctx.name, { axis: { int: axis }, reduction: { string: 'add' } });
    return [dx, null];
  },
};
