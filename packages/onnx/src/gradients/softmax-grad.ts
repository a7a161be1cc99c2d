import { attrInt } from '../graph/node-attributes.js';
import type { GradientRule } from './gradient-rule.js';

/** y = softmax(x) along `axis` (opset ≥ 13): dx = y·(dy − Σ_axis dy·y). */
export const softmaxGrad: GradientRule = {
  opType: 'Softmax',
  vjp(ctx, node, [dy]) {
    const g = ctx.graph;
    const y = node.output[0]!;
    const axis = attrInt(node, 'axis', -1);
    const dot = g.op('ReduceSum', [g.op('Mul', [dy!, y], ctx.name), g.int64s([axis], 'axes')], ctx.name, { keepdims: { int: 1 } });
    return [g.op('Mul', [y, g.op('Sub', [dy!, dot], ctx.name)], ctx.name)];
  },
};
