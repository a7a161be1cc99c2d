import { beforeAll, describe, expect, it } from 'vitest';
import { buildGradients } from '../../src/gradients/build-gradients.js';
import type { GradientRule } from '../../src/gradients/gradient-rule.js';
import { GRADIENT_RULES } from '../../src/gradients/register-all-gradients.js';
import { OnnxGraphBuilder } from '../../src/onnx-graph-builder.js';
import { gradientCheck, randomArray, seededUniform, type CheckInput } from './gradient-check.js';
import { expectGradients, tf, useTfjsCpu } from './reference.js';

beforeAll(useTfjsCpu);

/** A graph with float inputs of the given shapes, for structural tests that never run. */
function graphWith(shapes: Record<string, number[]>): OnnxGraphBuilder {
  const g = new OnnxGraphBuilder();
  for (const [name, dims] of Object.entries(shapes)) g.setShape(g.reserve(name), dims);
  return g;
}

const sumAll = (g: OnnxGraphBuilder, y: string) => g.op('ReduceSum', [y], 'loss', { keepdims: { int: 0 } });

describe('buildGradients', () => {
  it('sums the gradients of a value with several consumers (x·x + eˣ: three uses of x)', async () => {
    const rand = seededUniform(1);
    const inputs: CheckInput[] = [{ name: 'x', dims: [2, 3], data: randomArray(6, rand) }];
    await expectGradients('two consumers: x·x + exp x', {
      inputs,
      onnx: (g, [x]) => g.op('Add', [g.op('Mul', [x!, x!], 'sq'), g.op('Exp', [x!], 'e')], 'y'),
      tfjs: (x) => tf.add(tf.mul(x!, x!), tf.exp(x!)),
    });
    // Structure: one Sum of three contributions for x.
    const g = graphWith({ x: [2, 3] });
    const y = g.op('Add', [g.op('Mul', ['x', 'x'], 'sq'), g.op('Exp', ['x'], 'e')], 'y');
    const dx = buildGradients(g, sumAll(g, y), ['x']).get('x')!;
    const sum = g.nodes.find((n) => n.output.includes(dx))!;
    expect(sum.opType).toBe('Sum');
    expect(sum.input).toHaveLength(3);
  });

  it('sums the gradients of an intermediate value with two consumers', async () => {
    const rand = seededUniform(2);
    await expectGradients('intermediate with two consumers', {
      inputs: [
        { name: 'x', dims: [2, 3], data: randomArray(6, rand) },
        { name: 'z', dims: [3], data: randomArray(3, rand) },
      ],
      onnx: (g, [x, z]) => {
        const h = g.op('Exp', [x!], 'h');
        return g.op('Concat', [g.op('Mul', [h, z!], 'hz'), g.op('Neg', [h], 'nh')], 'y', { axis: { int: 0 } });
      },
      tfjs: (x, z) => {
        const h = tf.exp(x!);
        return tf.concat([tf.mul(h, z!), tf.neg(h)], 0);
      },
    });
  });

  it('gives zeros to an input the loss does not depend on (unused, or only on a dead branch)', async () => {
    const rand = seededUniform(3);
    const inputs: CheckInput[] = [
      { name: 'x', dims: [2, 3], data: randomArray(6, rand) },
      { name: 'unused', dims: [4, 1], data: randomArray(4, rand) },
      { name: 'dead', dims: [2, 3], data: randomArray(6, rand) },
    ];
    const check = await gradientCheck(inputs, (g, [x, , dead]) => {
      g.op('Mul', [dead!, x!], 'dead_branch'); // computed, never reaches y
      return g.op('Exp', [x!], 'y');
    });
    const dUnused = check.grads.get('unused')!;
    const dDead = check.grads.get('dead')!;
    const dx = check.grads.get('x')!;
    await check.dispose();
    expect(Array.from(dUnused)).toEqual([0, 0, 0, 0]);
    expect(Array.from(dDead)).toEqual([0, 0, 0, 0, 0, 0]);
    // ... while x's gradient is eˣ·r.
    const expected = Array.from(inputs[0]!.data, (v, i) => Math.exp(v) * check.r[i]!);
    expect(Math.max(...Array.from(dx, (v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-6);
  });

  it('throws for a non-scalar loss', () => {
    const g = graphWith({ x: [2, 3] });
    const y = g.op('Exp', ['x'], 'y');
    expect(() => buildGradients(g, y, ['x'])).toThrow('buildGradients: the loss "y/Exp_output" must be a scalar, has shape [2,3]');
    const kept = g.op('ReduceSum', [y], 'kept'); // keepdims 1: shape [1, 1], still not a scalar
    expect(() => buildGradients(g, kept, ['x'])).toThrow(/must be a scalar, has shape \[1,1\]/);
  });

  it('throws one line naming the op and the node for an op without a rule on the path', () => {
    const g = graphWith({ x: [2, 3] });
    const loss = sumAll(g, g.op('Sigmoid', [g.op('Exp', ['x'], 'e')], 'gate'));
    let message = '';
    try {
      buildGradients(g, loss, ['x']);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^buildGradients: no gradient rule for ONNX op Sigmoid \(node gate\/Sigmoid\)/);
    expect(message).not.toContain('\n');
  });

  it('does not need a rule for ops off the path (not depending on wrt, or not reaching the loss)', () => {
    const g = graphWith({ x: [2, 3], c: [2, 3] });
    const gate = g.op('Sigmoid', ['c'], 'const_gate'); // depends on no wrt input
    g.op('Sigmoid', ['x'], 'dead'); // does not reach the loss
    const loss = sumAll(g, g.op('Mul', ['x', gate], 'y'));
    expect(() => buildGradients(g, loss, ['x'])).not.toThrow();
  });

  it('rejects a rule that returns a gradient of the wrong shape, naming the rule and node', () => {
    const rules = GRADIENT_RULES as Map<string, GradientRule>;
    const bad: GradientRule = { opType: 'Sigmoid', vjp: (ctx) => [ctx.zeros([3])] };
    rules.set('Sigmoid', bad);
    try {
      const g = graphWith({ x: [2, 3] });
      const loss = sumAll(g, g.op('Sigmoid', ['x'], 'sig'));
      expect(() => buildGradients(g, loss, ['x'])).toThrow("buildGradients: the gradient of input 0 of the Sigmoid rule's node sig/Sigmoid has shape [3], the input has [2,3]");
    } finally {
      rules.delete('Sigmoid');
    }
  });

  it('a small LeViT-like block end to end: Conv s2 → HardSwish → tokens → linear → Softmax', async () => {
    const rand = seededUniform(4);
    const inputs: CheckInput[] = [
      { name: 'x', dims: [2, 3, 7, 8], data: randomArray(2 * 3 * 7 * 8, rand) },
      { name: 'w', dims: [4, 3, 3, 3], data: randomArray(4 * 27, rand, -0.5, 0.5) },
      { name: 'b', dims: [4], data: randomArray(4, rand) },
      { name: 'lin', dims: [4, 5], data: randomArray(20, rand) },
    ];
    await expectGradients(
      'LeViT-like block',
      {
        inputs,
        onnx: (g, [x, w, b, lin]) => {
          const y = g.op('Conv', [x!, w!, b!], 'c', { strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, kernel_shape: { ints: [3, 3] } });
          const tokens = g.op('Transpose', [g.op('Reshape', [g.op('HardSwish', [y], 'h'), g.int64s([2, 4, 16], 'shape')], 'flat')], 'tok', { perm: { ints: [0, 2, 1] } });
          return g.op('Softmax', [g.op('MatMul', [tokens, lin!], 'mm')], 's', { axis: { int: -1 } });
        },
        tfjs: (x, w, b, lin) => {
          const conv = tf.conv2d(tf.transpose(x!, [0, 2, 3, 1]) as tf.Tensor4D, tf.transpose(w!, [2, 3, 1, 0]) as tf.Tensor4D, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]);
          const y = tf.add(tf.transpose(conv, [0, 3, 1, 2]), tf.reshape(b!, [1, -1, 1, 1]));
          const h = tf.div(tf.mul(y, tf.relu6(tf.add(y, 3))), 6);
          const tokens = tf.transpose(tf.reshape(h, [2, 4, 16]), [0, 2, 1]);
          return tf.softmax(tf.matMul(tokens, tf.broadcastTo(lin!, [2, 4, 5])));
        },
        fd: { count: 30 },
      },
    );
  });

  it("LeViT's attention core: softmax(q·s·kᵀ + table[:, idxs])·v", async () => {
    const rand = seededUniform(5);
    const idxs = [0, 1, 2, 3, 1, 0, 1, 2, 2, 1, 0, 1, 4, 2, 1, 0];
    const inputs: CheckInput[] = [
      { name: 'q', dims: [1, 2, 4, 3], data: randomArray(24, rand) },
      { name: 'kT', dims: [1, 2, 3, 4], data: randomArray(24, rand) },
      { name: 'v', dims: [1, 2, 4, 3], data: randomArray(24, rand) },
      { name: 'biases', dims: [2, 5], data: randomArray(10, rand) },
    ];
    await expectGradients("LeViT's attention core", {
      inputs,
      onnx: (g, [q, kT, v, biases]) => {
        const bias = g.op('Gather', [biases!, g.addInt64('idxs', BigInt64Array.from(idxs, (i) => BigInt(i)), [4, 4]).name], 'bias', { axis: { int: 1 } });
        const logits = g.op('Add', [g.op('MatMul', [g.op('Mul', [q!, g.scalar(0.577)], 'scale'), kT!], 'qk'), bias], 'logits');
        return g.op('MatMul', [g.op('Softmax', [logits], 'sm', { axis: { int: -1 } }), v!], 'av');
      },
      tfjs: (q, kT, v, biases) => {
        const bias = tf.gather(biases!, tf.tensor2d(idxs, [4, 4], 'int32'), 1);
        return tf.matMul(tf.softmax(tf.add(tf.matMul(tf.mul(q!, 0.577), kT!), bias)), v!);
      },
    });
  });
});

describe('GRADIENT_RULES', () => {
  /** The op types the files of this folder test, rule by rule. */
  const TESTED = {
    'elementwise-grad.test.ts': ['Add', 'Sub', 'Mul', 'Div', 'Neg', 'Identity', 'Relu', 'HardSwish', 'Sqrt', 'Reciprocal', 'Exp', 'Log'],
    'matmul-grad.test.ts': ['MatMul'],
    'conv-grad.test.ts': ['Conv'],
    'shape-ops-grad.test.ts': ['Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Split', 'Concat'],
    'gather-grad.test.ts': ['Gather'],
    'reduce-grad.test.ts': ['ReduceSum', 'ReduceMean', 'ReduceSumSquare'],
    'softmax-grad.test.ts': ['Softmax', 'LogSoftmax'],
  };

  it('every rule has its tests (add a rule: add its test and list it here)', () => {
    expect(Object.values(TESTED).flat().sort()).toEqual([...GRADIENT_RULES.keys()].sort());
  });

  it('every rule is registered under its own op type', () => {
    for (const [opType, rule] of GRADIENT_RULES) expect(rule.opType).toBe(opType);
  });
});
