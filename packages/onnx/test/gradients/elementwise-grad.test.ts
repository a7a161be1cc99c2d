import { beforeAll, describe, expect, it } from 'vitest';
import { gradientCheck, randomArray, seededUniform, type CheckInput } from './gradient-check.js';
import { expectGradients, randomAway, randomMagnitude, tf, useTfjsCpu } from './reference.js';

beforeAll(useTfjsCpu);

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** Shape pairs (a, b) for the broadcasting binary ops: equal, rank-expanding, size-1 axes on both sides, scalar. */
const BROADCASTS: Array<[string, number[], number[]]> = [
  ['same shape', [2, 3], [2, 3]],
  ['b rank-expanded (2,3,4) ∘ (4)', [2, 3, 4], [4]],
  ['a rank-expanded (3,1) ∘ (2,3,4)', [3, 1], [2, 3, 4]],
  ['size-1 axes on both (1,3,1) ∘ (2,1,4)', [1, 3, 1], [2, 1, 4]],
  ['both ways at once (2,1,3,1) ∘ (4,1,5)', [2, 1, 3, 1], [4, 1, 5]],
  ['b scalar (2,3) ∘ ()', [2, 3], []],
  ['a scalar () ∘ (3,2)', [], [3, 2]],
];

const BINARY: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  ['Add', tf.add],
  ['Sub', tf.sub],
  ['Mul', tf.mul],
  ['Div', tf.div],
];

describe.each(BINARY)('%s', (opType, tfOp) => {
  it.each(BROADCASTS)('%s', async (label, da, db) => {
    const rand = seededUniform(11 + da.length * 7 + db.length);
    const inputs: CheckInput[] = [
      { name: 'a', dims: da, data: randomArray(size(da), rand) },
      // Div's denominator away from 0.
      { name: 'b', dims: db, data: opType === 'Div' ? randomMagnitude(size(db), rand, 0.5, 1.5) : randomArray(size(db), rand) },
    ];
    await expectGradients(`${opType} ${label}`, {
      inputs,
      onnx: (g, [a, b]) => g.op(opType, [a!, b!], 'op'),
      tfjs: (a, b) => tfOp(a!, b!),
    });
  });

  it('only one operand differentiable (the other a graph input held fixed)', async () => {
    const rand = seededUniform(5);
    for (const fixed of [0, 1]) {
      const inputs: CheckInput[] = [
        { name: 'a', dims: [2, 1, 3], data: randomArray(6, rand), differentiable: fixed !== 0 },
        { name: 'b', dims: [4, 1], data: opType === 'Div' ? randomMagnitude(4, rand, 0.5, 1.5) : randomArray(4, rand), differentiable: fixed !== 1 },
      ];
      const report = await expectGradients(`${opType} fixed input ${fixed}`, {
        inputs,
        onnx: (g, [a, b]) => g.op(opType, [a!, b!], 'op'),
        tfjs: (a, b) => tfOp(a!, b!),
      });
      expect([...report.grads.keys()]).toEqual([fixed === 0 ? 'b' : 'a']);
    }
  });
});

/** Unary ops: ONNX op, tfjs reference, input range (away from kinks and singularities). */
const UNARY: Array<[string, (x: tf.Tensor) => tf.Tensor, (n: number, rand: (lo?: number, hi?: number) => number) => Float32Array]> = [
  ['Neg', tf.neg, (n, rand) => randomArray(n, rand)],
  ['Identity', (x) => tf.mul(x, 1), (n, rand) => randomArray(n, rand)],
  ['Relu', tf.relu, (n, rand) => randomAway(n, rand, -2, 2, [0])],
  ['HardSwish', (x) => tf.div(tf.mul(x, tf.relu6(tf.add(x, 3))), 6), (n, rand) => randomAway(n, rand, -5, 5, [-3, 3])],
  ['Sqrt', tf.sqrt, (n, rand) => randomArray(n, rand, 0.3, 3)],
  ['Reciprocal', tf.reciprocal, (n, rand) => randomMagnitude(n, rand, 0.5, 2)],
  ['Exp', tf.exp, (n, rand) => randomArray(n, rand, -2, 2)],
  ['Log', tf.log, (n, rand) => randomArray(n, rand, 0.3, 3)],
];

describe.each(UNARY)('%s', (opType, tfOp, data) => {
  it('matches finite differences and tfjs on (2,3,5)', async () => {
    const dims = [2, 3, 5];
    const inputs: CheckInput[] = [{ name: 'x', dims, data: data(size(dims), seededUniform(opType.length * 13)) }];
    await expectGradients(opType, { inputs, onnx: (g, [x]) => g.op(opType, [x!], 'op'), tfjs: (x) => tfOp(x!) }, { fd: 1e-2 });
  });

  it('composes with the op before it (the rule reads its own input/output, not the graph input)', async () => {
    const dims = [3, 4];
    const rand = seededUniform(opType.length * 17);
    // y = op(x·s) with s a fixed positive scale: the rule must use the Mul's output, not x.
    const inputs: CheckInput[] = [
      { name: 'x', dims, data: data(12, rand) },
      { name: 's', dims: [4], data: Float32Array.from([1.25, 0.8, 1.1, 0.9]), differentiable: false },
    ];
    await expectGradients(`${opType} after Mul`, {
      inputs,
      onnx: (g, [x, s]) => g.op(opType, [g.op('Mul', [x!, s!], 'scale')], 'op'),
      tfjs: (x, s) => tfOp(tf.mul(x!, s!)),
    });
  });
});

describe('branch points (PyTorch semantics, closed form)', () => {
  it('HardSwish: 0 below −3, x/3 + ½ on [−3, 3] (both ends included), 1 above', async () => {
    const x = Float32Array.from([-5, -3.001, -3, -2.999, -1.5, 0, 1.5, 2.999, 3, 3.001, 5, -2.5]);
    const check = await gradientCheck([{ name: 'x', dims: [3, 4], data: x }], (g, [v]) => g.op('HardSwish', [v!], 'hs'));
    const derivative = (v: number) => (v < -3 ? 0 : v <= 3 ? v / 3 + 0.5 : 1);
    const expected = Array.from(x, (v, i) => check.r[i]! * derivative(v));
    const got = check.grads.get('x')!;
    await check.dispose();
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-6);
    // The three exact branch points, spelt out: −3 → −½·r, 3 → 1.5·r.
    expect(got[2]).toBeCloseTo(-0.5 * check.r[2]!, 6);
    expect(got[8]).toBeCloseTo(1.5 * check.r[8]!, 6);
    expect(Math.abs(got[0]!)).toBe(0);
  });

  it('Relu: gradient 0 at exactly 0 (and at −0), 1 above', async () => {
    const x = Float32Array.from([0, -0, 1e-3, -1e-3, 2, -2]);
    const check = await gradientCheck([{ name: 'x', dims: [6], data: x }], (g, [v]) => g.op('Relu', [v!], 'relu'));
    const got = Array.from(check.grads.get('x')!);
    const r = check.r;
    await check.dispose();
    expect(got[0]).toBe(0);
    expect(got[1]).toBe(0);
    expect(got[3]).toBe(0);
    expect(got[5]).toBe(0);
    expect(got[2]).toBeCloseTo(r[2]!, 7);
    expect(got[4]).toBeCloseTo(r[4]!, 7);
  });
});
