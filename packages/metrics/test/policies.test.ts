import { describe, expect, it } from 'vitest';
import { evaluateCase, METRIC_NAMES, type ClassEvaluation, type PolicyName } from '../src/index.js';
import { box, emptyVolume, paint } from './volumes.js';

// Four classes, one per empty case, in a 6×8×10 volume (grid diagonal √(5² + 7² + 9²) = √155 voxels):
// 1 in both (pred one voxel wider), 2 only in pred, 3 only in gt, 4 in neither.
const shape = [6, 8, 10];
const pred = paint(paint(emptyVolume(shape), 1, box([1, 1, 1], [3, 3, 4])), 2, box([4, 4, 4], [5, 6, 6]));
const gt = paint(paint(emptyVolume(shape), 1, box([1, 1, 1], [3, 3, 3])), 3, box([4, 4, 7], [5, 5, 9]));

function classes(policy: PolicyName, spacingMm?: number[]): ClassEvaluation[] {
  return [...evaluateCase(pred, gt, { numClasses: 5, policy, ...(spacingMm ? { spacingMm } : {}) }).classes];
}

describe('empty-mask policies', () => {
  it('labels each class by which mask is empty', () => {
    expect(classes('transunet').map((k) => k.empty)).toEqual(['none', 'gt', 'pred', 'both']);
  });

  it('keeps medpy values (NaN where medpy raises) whatever the policy', () => {
    const [, fp, missed, absent] = classes('strict');
    expect(fp.medpy).toMatchObject({ dice: 0, iou: 0, sensitivity: 0, precision: 0 });
    expect(missed.medpy).toMatchObject({ dice: 0, iou: 0, sensitivity: 0, precision: 0 });
    expect(absent.medpy).toMatchObject({ dice: 1, iou: 1, sensitivity: 0, precision: 0 });
    for (const k of [fp, missed, absent]) expect(k.medpy.hd95).toBeNaN();
  });

  it('transunet: false positive → (1, 0), missed or absent → (0, 0), both present → medpy', () => {
    const [both, fp, missed, absent] = classes('transunet');
    expect(both.values).toEqual(both.medpy);
    expect(both.values.dice).toBeCloseTo((2 * 8) / (8 + 12), 12);
    for (const m of METRIC_NAMES) {
      const distance = !['dice', 'iou', 'sensitivity', 'precision'].includes(m);
      expect(fp.values[m], `fp ${m}`).toBe(distance ? 0 : 1);
      expect(missed.values[m], `missed ${m}`).toBe(0);
      expect(absent.values[m], `absent ${m}`).toBe(0);
    }
  });

  it('strict: one side empty → Dice 0 and the grid diagonal; both empty → all NaN', () => {
    const spacing = [3, 0.5, 1.5];
    const diagonal = Math.hypot(5 * 3, 7 * 0.5, 9 * 1.5);
    const [both, fp, missed, absent] = classes('strict', spacing);
    expect(both.values).toEqual(both.medpy);
    for (const k of [fp, missed]) {
      expect(k.values).toMatchObject({ dice: 0, iou: 0, hd: diagonal, hd95: diagonal, asd: diagonal, asdReverse: diagonal, assd: diagonal });
    }
    expect(fp.values.sensitivity).toBeNaN();
    expect(fp.values.precision).toBe(0);
    expect(missed.values.sensitivity).toBe(0);
    expect(missed.values.precision).toBeNaN();
    for (const m of METRIC_NAMES) expect(absent.values[m]).toBeNaN();
  });
});
