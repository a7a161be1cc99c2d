import { beforeAll, describe, expect, it } from 'vitest';
import { randomArray, seededUniform } from './gradient-check.js';
import { expectGradients, tf, useTfjsCpu } from './reference.js';

beforeAll(useTfjsCpu);

const X = [2, 3, 4];

/** Reduced axes (undefined: all of them), keepdims, and the output shape. */
const CASES: Array<[number[] | undefined, 0 | 1, number[]]> = [
  [[1], 1, [2, 1, 4]],
  [[1], 0, [2, 4]],
  [[0, -1], 1, [1, 3, 1]],
  [[0, -1], 0, [3]],
  [[2, 0, 1], 0, []],
  [undefined, 1, [1, 1, 1]],
  [undefined, 0, []],
];

const OPS: Array<[string, (x: tf.Tensor, axes: number[] | undefined, keep: boolean) => tf.Tensor]> = [
  ['ReduceSum', (x, axes, keep) => tf.sum(x, axes, keep)],
  ['ReduceMean', (x, axes, keep) => tf.mean(x, axes, keep)],
  ['ReduceSumSquare', (x, axes, keep) => tf.sum(tf.square(x), axes, keep)],
];

describe.each(OPS)('%s', (opType, tfOp) => {
  it.each(CASES)('axes %j, keepdims %i', async (axes, keepdims, out) => {
    await expectGradients(`${opType} axes ${JSON.stringify(axes)} keepdims ${keepdims}`, {
      inputs: [{ name: 'x', dims: X, data: randomArray(24, seededUniform(opType.length + keepdims)) }],
      onnx: (g, [x]) => {
        // Opset 17: ReduceSum takes its axes as an input, the other reductions as an attribute.
        const y =
          opType === 'ReduceSum'
            ? g.op(opType, axes ? [x!, g.int64s(axes, 'axes')] : [x!], 'red', { keepdims: { int: keepdims } })
            : g.op(opType, [x!], 'red', { keepdims: { int: keepdims }, ...(axes ? { axes: { ints: axes } } : {}) });
        expect(g.shape(y)).toEqual(out);
        return y;
      },
      tfjs: (x) => tfOp(x!, axes, keepdims === 1),
    });
  });

  it('keepdims default (1) after a broadcasting Mul', async () => {
    const rand = seededUniform(3);
    await expectGradients(`${opType} default keepdims`, {
      inputs: [
        { name: 'x', dims: [3, 4], data: randomArray(12, rand) },
        { name: 'z', dims: [4], data: randomArray(4, rand) },
      ],
      onnx: (g, [x, z]) => {
        const m = g.op('Mul', [x!, z!], 'm');
        return opType === 'ReduceSum' ? g.op(opType, [m, g.int64s([0], 'axes')], 'red') : g.op(opType, [m], 'red', { axes: { ints: [0] } });
      },
      tfjs: (x, z) => tfOp(tf.mul(x!, z!), [0], true),
    });
  });
});
