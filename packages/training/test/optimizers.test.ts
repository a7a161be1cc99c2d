import { describe, expect, it } from 'vitest';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { createOptimizer, TorchAdam, TorchSGD, type OptimizerConfig, type TorchOptimizer } from '../src/index.js';
import { seededUniform } from './seeded.js';

const tf = await useTfBackend(registerWasmTrainingKernels);

// Float64 transcriptions of the update rules in the torch.optim.SGD / torch.optim.Adam documentation.
function sgdReference(p: Float64Array, grads: Array<Float64Array | null>, lr: number, wd: number, momentum: number, nesterov = false) {
  let buf: Float64Array | null = null;
  for (const grad of grads) {
    if (!grad) continue;
    const g = grad.map((gi, i) => gi + wd * p[i]);
    let step: Float64Array = g;
    if (momentum !== 0) {
      buf = buf ? buf.map((bi, i) => momentum * bi + g[i]) : Float64Array.from(g);
      step = nesterov ? g.map((gi, i) => gi + momentum * buf![i]) : buf;
    }
    for (let i = 0; i < p.length; i++) p[i] -= lr * step[i];
  }
  return p;
}

const random = seededUniform(3);
const values = (n: number, scale: number) => Float32Array.from({ length: n }, () => (random() - 0.5) * 2 * scale);

function run(config: OptimizerConfig, p0: Float32Array[], grads: Array<Array<Float32Array | null>>, lrs: number[]) {
  const variables = p0.map((p, i) => tf.variable(tf.tensor1d(p), true, `opt-test-${config.name}-${i}-${random()}`));
  const optimizer = createOptimizer(config, variables);
  grads.forEach((step, s) => {
    const named: Record<string, import('@tensorflow/tfjs').Tensor> = {};
    step.forEach((g, i) => {
      if (g) named[variables[i]!.name] = tf.tensor1d(g);
    });
    optimizer.step(named, lrs[s]!);
    tf.dispose(Object.values(named));
  });
  const out = variables.map((v) => v.dataSync() as Float32Array);
  return { out, optimizer, variables };
}

function relativeError(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    num += (got[i] - ref[i]) ** 2;
    den += ref[i] ** 2;
  }
  return Math.sqrt(num / den);
}

describe('TorchAdam', () => {
  it('first step is lr·g′/(|g′| + eps) with coupled weight decay g′ = g + wd·p', () => {
    const p = values(64, 1);
    const g = values(64, 1e-3);
    const { out, optimizer, variables } = run({ name: 'adam', weightDecay: 0.1 }, [p], [[g]], [0.01]);
    for (let i = 0; i < p.length; i++) {
      const gw = g[i] + 0.1 * p[i];
      expect(out[0]![i]).toBeCloseTo(p[i] - (0.01 * gw) / (Math.abs(gw) + 1e-8), 6);
    }
    optimizer.dispose();
    tf.dispose(variables);
  });

  it('matches the float64 rule over 6 steps, per-parameter step counts when a gradient is missing', () => {
    const p0 = [values(200, 1), values(30, 0.5)];
    const grads = Array.from({ length: 6 }, (_, s) => [values(200, 0.1), s === 2 ? null : values(30, 0.01)]);
    const lrs = [1e-3, 1e-3, 5e-4, 5e-4, 2e-4, 1e-4];
    const { out, optimizer, variables } = run({ name: 'adam', weightDecay: 1e-2 }, p0, grads, lrs);
    p0.forEach((p, i) => {
      const ref = Float64Array.from(p);
      const g = grads.map((step) => (step[i] ? Float64Array.from(step[i]!) : null));
      // learning rates differ per step: apply the reference step by step
      const delta = refStepwise(ref, g, lrs, adamReferenceIncremental);
      // float32 storage of p (~1) limits a ~1e-3 update to ~1e-5 relative
      expect(relativeError(subtract(out[i]!, p), delta)).toBeLessThan(1e-4);
    });
    expect(optimizer.stepCount).toBe(6);
    expect(optimizer.getState().slots[variables[1]!.name]!.step).toBe(5);
    optimizer.dispose();
    tf.dispose(variables);
  });
});

// The reference with a different lr per step: replay with the history (Adam's state depends only on grads and p).
function adamReferenceIncremental(p: Float64Array, grads: Array<Float64Array | null>, lrs: number[]): Float64Array {
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  let t = 0;
  grads.forEach((grad, s) => {
    if (!grad) return;
    t += 1;
    for (let i = 0; i < p.length; i++) {
      const g = grad[i] + 1e-2 * p[i];
      m[i] = 0.9 * m[i] + 0.1 * g;
      v[i] = 0.999 * v[i] + 0.001 * g * g;
      p[i] -= (lrs[s]! * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
    }
  });
  return p;
}

function refStepwise(
  p: Float64Array,
  grads: Array<Float64Array | null>,
  lrs: number[],
  rule: (p: Float64Array, grads: Array<Float64Array | null>, lrs: number[]) => Float64Array,
): Float64Array {
  const start = Float64Array.from(p);
  const end = rule(p, grads, lrs);
  return end.map((x, i) => x - start[i]);
}

function subtract(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => a[i] - b[i]);
}

describe('TorchSGD', () => {
  it('two steps in closed form: buf1 = g1′, buf2 = 0.9·buf1 + g2′, p ← p − lr·buf', () => {
    const p = values(50, 1);
    const g1 = values(50, 0.1);
    const g2 = values(50, 0.1);
    const { out, optimizer, variables } = run({ name: 'sgd', momentum: 0.9, weightDecay: 1e-4 }, [p], [[g1], [g2]], [0.01, 0.01]);
    for (let i = 0; i < p.length; i++) {
      const b1 = g1[i] + 1e-4 * p[i];
      const p1 = p[i] - 0.01 * b1;
      const b2 = 0.9 * b1 + g2[i] + 1e-4 * p1;
      expect(out[0]![i]).toBeCloseTo(p1 - 0.01 * b2, 6);
    }
    optimizer.dispose();
    tf.dispose(variables);
  });

  for (const [momentum, nesterov] of [[0.9, false], [0.9, true], [0, false]] as const) {
    it(`matches the float64 rule over 5 steps (momentum ${momentum}${nesterov ? ', nesterov' : ''})`, () => {
      const p = values(100, 1);
      const grads = Array.from({ length: 5 }, () => [values(100, 0.2)]);
      const { out, optimizer, variables } = run({ name: 'sgd', momentum, nesterov, weightDecay: 1e-3 }, [p], grads, Array(5).fill(0.05));
      const delta = subtract(sgdReference(Float64Array.from(p), grads.map((s) => Float64Array.from(s[0]!)), 0.05, 1e-3, momentum, nesterov), p);
      expect(relativeError(subtract(out[0]!, p), delta)).toBeLessThan(1e-5);
      optimizer.dispose();
      tf.dispose(variables);
    });
  }
});

describe('optimizer state', () => {
  for (const config of [{ name: 'adam', weightDecay: 1e-4 }, { name: 'sgd', momentum: 0.9, weightDecay: 1e-4 }] as OptimizerConfig[]) {
    it(`${config.name}: getState/setState resumes bit-exactly, without leaking tensors`, () => {
      const p0 = values(40, 1);
      const grads = Array.from({ length: 5 }, () => values(40, 0.1));
      const apply = (opt: TorchOptimizer, v: import('@tensorflow/tfjs').Variable, g: Float32Array) => {
        const t = tf.tensor1d(g);
        opt.step({ [v.name]: t }, 1e-3);
        t.dispose();
      };
      const a = tf.variable(tf.tensor1d(p0), true, `state-a-${config.name}`);
      const optA = createOptimizer(config, [a]);
      grads.forEach((g) => apply(optA, a, g));

      const b = tf.variable(tf.tensor1d(p0), true, `state-b-${config.name}`);
      const optB = createOptimizer(config, [b]);
      grads.slice(0, 3).forEach((g) => apply(optB, b, g));
      const saved = optB.getState();
      const renamed = { ...saved, slots: { [`state-c-${config.name}`]: saved.slots[b.name]! } };
      const c = tf.variable(tf.tensor1d(b.dataSync()), true, `state-c-${config.name}`);
      const before = tf.memory().numTensors;
      const optC = createOptimizer(config, [c]);
      optC.setState(renamed);
      grads.slice(3).forEach((g) => apply(optC, c, g));
      expect(Array.from(c.dataSync())).toEqual(Array.from(a.dataSync()));
      expect(optC.stepCount).toBe(5);
      optC.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(() => optA.setState({ ...saved, kind: config.name === 'adam' ? 'sgd' : 'adam' })).toThrow(/optimizer state is for/);
      expect(() => optA.setState(saved)).toThrow(/not one of the optimizer's variables/);
      [optA, optB].forEach((o) => o.dispose());
      tf.dispose([a, b, c]);
    });
  }

  it('rejects bad hyperparameters and learning rates', () => {
    const v = tf.variable(tf.zeros([2]), true, 'bad-hyper');
    expect(() => new TorchAdam([v], { betas: [1, 0.999] })).toThrow(/betas\[0\]/);
    expect(() => new TorchSGD([v], { nesterov: true })).toThrow(/nesterov/);
    expect(() => new TorchSGD([v]).step({}, NaN)).toThrow(/learning rate/);
    expect(() => new TorchSGD([v]).step({ nope: tf.zeros([2]) }, 0.1)).toThrow(/"nope"/);
    expect(() => createOptimizer({ name: 'rmsprop' } as unknown as OptimizerConfig, [v])).toThrow(/unknown optimizer/);
    v.dispose();
  });
});
