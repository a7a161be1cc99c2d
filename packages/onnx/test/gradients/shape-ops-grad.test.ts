import { beforeAll, describe, expect, it } from 'vitest';
import type { OnnxGraphBuilder } from '../../src/onnx-graph-builder.js';
import { randomArray, seededUniform, type CheckInput } from './gradient-check.js';
import { expectGradients, tf, useTfjsCpu } from './reference.js';

beforeAll(useTfjsCpu);

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function input(name: string, dims: number[], seed: number, differentiable = true): CheckInput {
  return { name, dims, data: randomArray(size(dims), seededUniform(seed)), differentiable };
}

/** A one-input case: the ONNX op, the output shape it must infer, the tfjs twin. */
async function unaryCase(label: string, dims: number[], onnx: (g: OnnxGraphBuilder, x: string) => string, outDims: number[], tfjs: (x: tf.Tensor) => tf.Tensor) {
  await expectGradients(label, {
    inputs: [input('x', dims, size(dims) + label.length)],
    onnx: (g, [x]) => {
      const y = onnx(g, x!);
      expect(g.shape(y)).toEqual(outDims);
      return y;
    },
    tfjs: (x) => tfjs(x!),
  });
}

describe('Transpose', () => {
  it('perm [2,0,3,1] on (2,3,4,5)', () =>
    unaryCase('Transpose perm', [2, 3, 4, 5], (g, x) => g.op('Transpose', [x], 't', { perm: { ints: [2, 0, 3, 1] } }), [4, 2, 5, 3], (x) => tf.transpose(x, [2, 0, 3, 1])));
  it('no perm (reverses the axes) on (2,3,4)', () => unaryCase('Transpose default', [2, 3, 4], (g, x) => g.op('Transpose', [x], 't'), [4, 3, 2], (x) => tf.transpose(x)));
  it('a 3-cycle twice (the inverse permutation is not the permutation itself)', () =>
    unaryCase(
      'Transpose cycle',
      [2, 3, 4],
      (g, x) => g.op('Exp', [g.op('Transpose', [x], 't', { perm: { ints: [1, 2, 0] } })], 'e'),
      [3, 4, 2],
      (x) => tf.exp(tf.transpose(x, [1, 2, 0])),
    ));
});

describe('Reshape', () => {
  it('with −1 and 0 in the target shape', () =>
    unaryCase('Reshape -1 0', [2, 3, 4], (g, x) => g.op('Reshape', [x, g.int64s([0, -1, 2], 'shape')], 'r'), [2, 6, 2], (x) => tf.reshape(x, [2, 6, 2])));
  it('rank-changing, followed by an op that is not a permutation', () =>
    unaryCase(
      'Reshape rank',
      [2, 6],
      (g, x) => g.op('Mul', [g.op('Reshape', [x, g.int64s([3, 2, 2], 'shape')], 'r'), g.op('Reshape', [x, g.int64s([3, 2, 2], 'shape')], 'r2')], 'sq'),
      [3, 2, 2],
      (x) => tf.square(tf.reshape(x, [3, 2, 2])),
    ));
});

describe('Flatten', () => {
  it.each([
    [1, [2, 24]],
    [2, [6, 8]],
    [0, [1, 48]],
    [-1, [24, 2]],
  ] as Array<[number, number[]]>)('axis %i on (2,3,4,2)', (axis, out) =>
    unaryCase(`Flatten axis ${axis}`, [2, 3, 4, 2], (g, x) => g.op('Flatten', [x], 'f', { axis: { int: axis } }), out, (x) => tf.reshape(x, out)));
});

describe('Squeeze / Unsqueeze', () => {
  it('Squeeze with axes [1,−1] on (2,1,3,1)', () =>
    unaryCase('Squeeze axes', [2, 1, 3, 1], (g, x) => g.op('Squeeze', [x, g.int64s([1, -1], 'axes')], 'sq'), [2, 3], (x) => tf.squeeze(x, [1, 3])));
  it('Squeeze without axes (every size-1 axis) on (1,3,1,2)', () =>
    unaryCase('Squeeze all', [1, 3, 1, 2], (g, x) => g.op('Squeeze', [x], 'sq'), [3, 2], (x) => tf.squeeze(x)));
  it('Unsqueeze axes [0,−1] on (2,3)', () =>
    unaryCase('Unsqueeze', [2, 3], (g, x) => g.op('Unsqueeze', [x, g.int64s([0, -1], 'axes')], 'us'), [1, 2, 3, 1], (x) => tf.reshape(x, [1, 2, 3, 1])));
  it('Unsqueeze in the middle, then broadcast against another input', async () => {
    await expectGradients('Unsqueeze + Mul', {
      inputs: [input('x', [2, 3], 1), input('z', [2, 4, 3], 2)],
      onnx: (g, [x, z]) => g.op('Mul', [g.op('Unsqueeze', [x!, g.int64s([1], 'axes')], 'us'), z!], 'm'),
      tfjs: (x, z) => tf.mul(tf.expandDims(x!, 1), z!),
    });
  });
});

describe('Split', () => {
  it('equal parts along axis 1, all used', async () => {
    await expectGradients('Split equal', {
      inputs: [input('x', [2, 6, 3], 3)],
      onnx: (g, [x]) => {
        const [p, q, s] = g.addNode('Split', [x!], 'split', { axis: { int: 1 } }, 3) as [string, string, string];
        return g.op('Sub', [g.op('Mul', [p, q], 'pq'), s], 'out');
      },
      tfjs: (x) => {
        const [p, q, s] = tf.split(x!, 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.sub(tf.mul(p, q), s);
      },
    });
  });

  it('sizes [2,1,3] along axis −1 with the middle output unused (its gradient is zeros)', async () => {
    const report = await expectGradients('Split unused middle', {
      inputs: [input('x', [3, 6], 4)],
      onnx: (g, [x]) => {
        const [p, , s] = g.addNode('Split', [x!, g.int64s([2, 1, 3], 'split')], 'split', { axis: { int: -1 } }, 3) as [string, string, string];
        return g.op('Concat', [s, g.op('Exp', [p], 'e')], 'cat', { axis: { int: 1 } });
      },
      tfjs: (x) => {
        const [p, , s] = tf.split(x!, [2, 1, 3], -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.concat([s, tf.exp(p)], 1);
      },
    });
    const dx = report.grads.get('x')!;
    for (let row = 0; row < 3; row++) expect(dx[row * 6 + 2]).toBe(0);
  });

  it('only the last output used', async () => {
    await expectGradients('Split last only', {
      inputs: [input('x', [4, 2, 3], 5)],
      onnx: (g, [x]) => g.addNode('Split', [x!, g.int64s([1, 3], 'split')], 'split', { axis: { int: 0 } }, 2)[1]!,
      tfjs: (x) => tf.split(x!, [1, 3], 0)[1]!,
    });
  });
});

describe('Concat', () => {
  it('three inputs of different widths along axis 1', async () => {
    await expectGradients('Concat 3 axis 1', {
      inputs: [input('a', [2, 1, 3], 6), input('b', [2, 4, 3], 7), input('c', [2, 2, 3], 8)],
      onnx: (g, [a, b, c]) => g.op('Concat', [a!, b!, c!], 'cat', { axis: { int: 1 } }),
      tfjs: (a, b, c) => tf.concat([a!, b!, c!], 1),
    });
  });

  it('three inputs along axis −1, the middle one not differentiable, one used twice', async () => {
    const report = await expectGradients('Concat 3 axis -1', {
      inputs: [input('a', [3, 2], 9), input('b', [3, 1], 10, false), input('c', [3, 3], 11)],
      onnx: (g, [a, b, c]) => g.op('Mul', [g.op('Concat', [a!, b!, c!], 'cat', { axis: { int: -1 } }), g.op('Concat', [c!, b!, a!], 'cat2', { axis: { int: -1 } })], 'm'),
      tfjs: (a, b, c) => tf.mul(tf.concat([a!, b!, c!], -1), tf.concat([c!, b!, a!], -1)),
    });
    expect([...report.grads.keys()]).toEqual(['a', 'c']);
  });
});
