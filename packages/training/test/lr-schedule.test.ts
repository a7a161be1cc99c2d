import { describe, expect, it } from 'vitest';
import { learningRate } from '../src/index.js';

describe('learningRate', () => {
  it('constant is base_lr', () => {
    expect([0, 1, 1000].map((i) => learningRate({ kind: 'constant' }, 1e-5, i))).toEqual([1e-5, 1e-5, 1e-5]);
  });

  it("poly replays TransUNet's loop: lr is updated after optimizer.step(), so the first two steps use base_lr", () => {
    // trainer.py: for each batch { step with current lr; lr_ = base_lr * (1 - iter_num / max_iterations) ** 0.9; iter_num += 1 }
    const base = 0.01;
    const max = 10;
    let current = base;
    let iterNum = 0;
    for (let i = 0; i < max; i++) {
      expect(learningRate({ kind: 'poly', maxIterations: max }, base, i)).toBeCloseTo(current, 15);
      current = base * (1 - iterNum / max) ** 0.9;
      iterNum += 1;
    }
    expect(learningRate({ kind: 'poly', maxIterations: max }, base, 0)).toBe(base);
    expect(learningRate({ kind: 'poly', maxIterations: max }, base, 1)).toBe(base);
    expect(learningRate({ kind: 'poly', maxIterations: max }, base, 2)).toBeCloseTo(base * 0.9 ** 0.9, 15);
    expect(learningRate({ kind: 'poly', maxIterations: max, power: 2 }, base, 6)).toBeCloseTo(base * 0.5 ** 2, 15);
    expect(learningRate({ kind: 'poly', maxIterations: max }, base, 50)).toBe(0);
  });

  it('rejects bad iterations and schedules', () => {
    expect(() => learningRate({ kind: 'constant' }, 1, -1)).toThrow(/iteration/);
    expect(() => learningRate({ kind: 'poly', maxIterations: 0 }, 1, 0)).toThrow(/maxIterations/);
    expect(() => learningRate({ kind: 'step' } as never, 1, 0)).toThrow(/unknown learning-rate schedule/);
  });
});
