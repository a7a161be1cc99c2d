import { beforeAll, describe, it } from 'vitest';
import type { Attributes } from '../../src/onnx-graph-builder.js';
import { randomArray, seededUniform } from './gradient-check.js';
import { expectGradients, tf, useTfjsCpu } from './reference.js';

beforeAll(useTfjsCpu);

/** tfjs softmax / logSoftmax work on the last axis only: move `axis` there and back. */
function alongAxis(f: (x: tf.Tensor) => tf.Tensor, axis: number) {
  return (x: tf.Tensor) => {
    const a = axis < 0 ? axis + x.rank : axis;
    if (a === x.rank - 1) return f(x);
    const perm = [...Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== a), a];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return tf.transpose(f(tf.transpose(x, perm)), inverse);
  };
}

const OPS: Array<[string, (x: tf.Tensor) => tf.Tensor]> = [
  ['Softmax', (x) => tf.softmax(x)],
  ['LogSoftmax', (x) => tf.logSoftmax(x)],
];

describe.each(OPS)('%s', (opType, tfOp) => {
  it.each([
    ['axis 1 of (2,3,4)', [2, 3, 4], 1],
    ['axis −1 of (2,3,4)', [2, 3, 4], -1],
    ['axis 0 of (3,5)', [3, 5], 0],
    ['axis 2 of (2,2,4,3)', [2, 2, 4, 3], 2],
    ['no axis attribute (−1 since opset 13) of (2,5)', [2, 5], undefined],
  ] as Array<[string, number[], number | undefined]>)('%s', async (label, dims, axis) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const attrs: Attributes = axis === undefined ? {} : { axis: { int: axis } };
    await expectGradients(`${opType} ${label}`, {
      // Logits of a few units: the probabilities are far from uniform.
      inputs: [{ name: 'x', dims, data: randomArray(n, seededUniform(n + (axis ?? 9)), -3, 3) }],
      onnx: (g, [x]) => g.op(opType, [x!], 'sm', attrs),
      tfjs: (x) => alongAxis(tfOp, axis ?? -1)(x!),
    });
  });
});
