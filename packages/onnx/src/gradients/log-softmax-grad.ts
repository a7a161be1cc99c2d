import { attrInt } from '../graph/node-attributes.js';
import type { GradientRule } from './gradient-rule.js';

/** y = log softmax(x) along `axis` (opset ≥ 13): dx = dy − eʸ·Σ_axis dy. */
export const logSoftmaxGrad: GradientRule = {
  opType: 'LogSoftmax',
  vjp(ctx, node, [dy]) {
    const g = ctx.graph;
    const axis = attrInt(node, 'axis', -1);
    const total = g.op('ReduceSum', [dy!, g.int64s([axis], 'axes')], ctx.name, { keepdims: { int: 1 } });
    return [g.op('Sub', [dy!, g.op('Mul', [g.op('Exp', [node.output[0]!], ctx.name), total], ctx.name)], ctx.name)];
  },
};
