import { beforeAll, describe, expect, it } from 'vitest';
import { randomArray, seededUniform, type CheckInput } from './gradient-check.js';
import { expectGradients, tf, useTfjsCpu } from './reference.js';

beforeAll(useTfjsCpu);

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * numpy-style batched matmul in tfjs: both operands broadcast to the common batch shape first (tfjs's
 * own BatchMatMul gradient does not sum back over broadcast batch axes; BroadcastTo's gradient does).
 */
function tfMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const rank = Math.max(a.rank, b.rank);
  const batchOf = (t: tf.Tensor) => [...new Array<number>(rank - t.rank).fill(1), ...t.shape.slice(0, -2)];
  const batch = batchOf(a).map((d, i) => Math.max(d, batchOf(b)[i]!));
  const at = tf.broadcastTo(a, [...batch, ...a.shape.slice(-2)]);
  const bt = tf.broadcastTo(b, [...batch, ...b.shape.slice(-2)]);
  return tf.matMul(at, bt);
}

const CASES: Array<[string, number[], number[], number[]]> = [
  ['2-D (3,4)·(4,5)', [3, 4], [4, 5], [3, 5]],
  ['batched, same batch (2,3,4)·(2,4,5)', [2, 3, 4], [2, 4, 5], [2, 3, 5]],
  ['batched with broadcast on both (2,1,3,4)·(1,3,4,2)', [2, 1, 3, 4], [1, 3, 4, 2], [2, 3, 3, 2]],
  ['size-1 batch in b (2,3,4)·(1,4,5)', [2, 3, 4], [1, 4, 5], [2, 3, 5]],
  ['linear layer (B,N,K)·(K,N) (2,5,4)·(4,3)', [2, 5, 4], [4, 3], [2, 5, 3]],
  ['linear layer, rank 4 (2,2,3,4)·(4,3)', [2, 2, 3, 4], [4, 3], [2, 2, 3, 3]],
  ["resize as matmul (H',H)·(B,C,H,W) (6,3)·(2,2,3,4)", [6, 3], [2, 2, 3, 4], [2, 2, 6, 4]],
  ['a rank-expanded (1,3,4)·(2,2,4,5)', [1, 3, 4], [2, 2, 4, 5], [2, 2, 3, 5]],
];

describe('MatMul', () => {
  it.each(CASES)('%s', async (label, da, db, dy) => {
    const rand = seededUniform(size(da) + 3 * size(db));
    const inputs: CheckInput[] = [
      { name: 'a', dims: da, data: randomArray(size(da), rand) },
      { name: 'b', dims: db, data: randomArray(size(db), rand) },
    ];
    await expectGradients(`MatMul ${label}`, {
      inputs,
      onnx: (g, [a, b]) => {
        const y = g.op('MatMul', [a!, b!], 'mm');
        expect(g.shape(y)).toEqual(dy);
        return y;
      },
      tfjs: (a, b) => tfMatMul(a!, b!),
    });
  });

  it.each([0, 1])('only operand %i differentiable (linear layer and resize cases)', async (k) => {
    for (const [da, db] of [
      [[2, 5, 4], [4, 3]],
      [[6, 3], [2, 2, 3, 4]],
    ] as const) {
      const rand = seededUniform(31 + k);
      const inputs: CheckInput[] = [
        { name: 'a', dims: [...da], data: randomArray(size(da), rand), differentiable: k === 0 },
        { name: 'b', dims: [...db], data: randomArray(size(db), rand), differentiable: k === 1 },
      ];
      await expectGradients(`MatMul [${da}]·[${db}] wrt ${k}`, { inputs, onnx: (g, [a, b]) => g.op('MatMul', [a!, b!], 'mm'), tfjs: (a, b) => tfMatMul(a!, b!) });
    }
  });
});
