import { describe, expect, it } from 'vitest';
import {
  evaluateCase,
  summarize,
  summaryToCsv,
  summaryToJson,
  summaryToMarkdown,
  type PolicyName,
} from '../src/index.js';
import { emptyVolume, paint, voxel } from './volumes.js';

// Two cases of two classes made of single voxels, so every distance is a known centre distance:
// case a: class 1 offset by (0, 3, 4) → 5; class 2 identical → 0.
// case b: class 1 identical → 0; class 2 only in gt (missed).
const shape = [4, 8, 8];
const a = {
  pred: paint(paint(emptyVolume(shape), 1, voxel([1, 0, 0])), 2, voxel([3, 7, 7])),
  gt: paint(paint(emptyVolume(shape), 1, voxel([1, 3, 4])), 2, voxel([3, 7, 7])),
};
const b = {
  pred: paint(emptyVolume(shape), 1, voxel([0, 0, 0])),
  gt: paint(paint(emptyVolume(shape), 1, voxel([0, 0, 0])), 2, voxel([2, 2, 2])),
};

function summary(policy: PolicyName) {
  return summarize([
    { name: 'a', evaluation: evaluateCase(a.pred, a.gt, { numClasses: 3, policy }) },
    { name: 'b', evaluation: evaluateCase(b.pred, b.gt, { numClasses: 3, policy }) },
  ]);
}

describe('summarize', () => {
  it('averages per class over cases, then over classes (transunet: missed class → Dice 0, HD95 0)', () => {
    const s = summary('transunet');
    expect(s.perClass.map((m) => m.dice.mean)).toEqual([0.5, 0.5]);
    expect(s.perClass.map((m) => m.hd95.mean)).toEqual([2.5, 0]);
    expect(s.overall.dice.mean).toBe(0.5);
    expect(s.overall.hd95.mean).toBe(1.25);
    expect(s.cases.map((c) => c.mean.hd95.mean)).toEqual([2.5, 0]);
  });

  it('leaves undefined values out under strict and counts them', () => {
    const s = summary('strict');
    const diagonal = Math.hypot(3, 7, 7);
    // Class 2 in case b is missed: Dice 0, HD95 = diagonal, precision undefined (0/0).
    expect(s.perClass[1].hd95.mean).toBeCloseTo(diagonal / 2, 12);
    expect(s.perClass[1].precision).toEqual({ mean: 1, count: 1, excluded: 1 });
    // Precision: class 1 has 0 (case a) and 1 (case b) → 0.5; class 2 has 1 → overall (0.5 + 1) / 2.
    expect(s.overall.precision.mean).toBe(0.75);
  });

  it('refuses cases scored differently', () => {
    const x = evaluateCase(a.pred, a.gt, { numClasses: 3 });
    const y = evaluateCase(a.pred, a.gt, { numClasses: 3, classIds: [1] });
    const z = evaluateCase(a.pred, a.gt, { numClasses: 3, policy: 'strict' });
    expect(() => summarize([{ name: 'x', evaluation: x }, { name: 'y', evaluation: y }])).toThrow(/scores classes \[1\]/);
    expect(() => summarize([{ name: 'x', evaluation: x }, { name: 'z', evaluation: z }])).toThrow(/uses policy strict/);
    expect(() => summarize([])).toThrow(/at least one case/);
  });
});

const SYNAPSE_NAMES = ['background', 'aorta', 'gallbladder', 'kidney L', 'kidney R', 'liver', 'pancreas', 'spleen', 'stomach'];
const ACDC_NAMES = ['background', 'RV', 'Myo', 'LV'];

describe('reports', () => {
  it('Markdown: per-class means with the overall mean, then per case, with class names', () => {
    const text = summaryToMarkdown(summary('transunet'), { classNames: SYNAPSE_NAMES, metrics: ['dice', 'hd95'], digits: 2 });
    expect(text).toContain('## Per class (mean over 2 cases, policy `transunet`)');
    expect(text).toContain('| class | dice | hd95 |');
    expect(text).toContain('| aorta | 0.50 | 2.50 |');
    expect(text).toContain('| gallbladder | 0.50 | 0.00 |');
    expect(text).toContain('| **mean** | 0.50 | 1.25 |');
    expect(text).toContain('| a | aorta | 0.00 | 5.00 |');
    expect(text).toContain('| b | gallbladder | 0.00 | 0.00 |');
  });

  it('Markdown leaves the per-case table out on request', () => {
    const text = summaryToMarkdown(summary('transunet'), { perCase: false });
    expect(text).toContain('| **mean** |');
    expect(text).not.toContain('Per case');
  });

  it('Markdown marks excluded values and undefined cells under strict', () => {
    const text = summaryToMarkdown(summary('strict'), { metrics: ['precision'], digits: 1 });
    expect(text).toContain('| class 2 | 1.0 (1 excl.) |');
    expect(text).toContain('| b | class 2 | n/a |');
  });

  it('CSV: one row per case and class at full precision, then the means, then exclusions', () => {
    const lines = summaryToCsv(summary('strict'), { classNames: ACDC_NAMES, metrics: ['dice', 'hd95', 'precision'] }).trim().split('\n');
    const diagonal = Math.hypot(3, 7, 7);
    expect(lines[0]).toBe('case,class_id,class,dice,hd95,precision');
    expect(lines).toContain('a,1,RV,0,5,0');
    expect(lines).toContain(`b,2,Myo,0,${diagonal},`);
    expect(lines).toContain(`mean,2,Myo,0.5,${diagonal / 2},1`);
    expect(lines).toContain('excluded,2,Myo,0,0,1');
    expect(lines.filter((l) => l.startsWith('mean,,mean,'))).toHaveLength(1);
  });

  it('JSON: classes keyed by name, plain numbers, null for undefined values, excluded counts', () => {
    const json = summaryToJson(summary('strict'), { classNames: ['background', 'aorta', 'gallbladder'], protocol: 'p' });
    const roundTrip = JSON.parse(JSON.stringify(json));
    const diagonal = Math.hypot(3, 7, 7);
    expect(roundTrip.protocol).toBe('p');
    expect(roundTrip.policy).toBe('strict');
    expect(roundTrip.classes).toEqual([{ id: 1, name: 'aorta' }, { id: 2, name: 'gallbladder' }]);
    expect(roundTrip.perClass.aorta.hd95).toBe(2.5);
    expect(roundTrip.perClass.gallbladder.hd95).toBeCloseTo(diagonal / 2, 12);
    expect(roundTrip.cases.map((c: { name: string }) => c.name)).toEqual(['a', 'b']);
    expect(roundTrip.cases[0].perClass.aorta).toMatchObject({ dice: 0, hd95: 5 });
    expect(roundTrip.cases[1].perClass.gallbladder.precision).toBeNull();
    expect(roundTrip.cases[1].excluded.precision).toBe(1);
    expect(roundTrip.excluded.perClass.gallbladder.precision).toBe(1);
    expect(roundTrip.excluded.mean.dice).toBe(0);
    expect(roundTrip.mean.dice).toBe(0.5);
    expect(roundTrip.mean.precision).toBe(0.75);
  });

  it('JSON: the TransUNet figures under the default policy, display names, `class_<id>` keys without names', () => {
    const json = summaryToJson(summary('transunet'), { metrics: ['dice', 'hd95'], displayNames: ['', 'Aorta'] });
    expect(json.mean).toEqual({ dice: 0.5, hd95: 1.25 });
    expect(json.perClass).toEqual({ class_1: { dice: 0.5, hd95: 2.5 }, class_2: { dice: 0.5, hd95: 0 } });
    expect(json.classes).toEqual([{ id: 1, name: 'class_1', displayName: 'Aorta' }, { id: 2, name: 'class_2' }]);
    expect(json).not.toHaveProperty('protocol');
    expect(() => summaryToJson(summary('transunet'), { classNames: ['bg', 'x', 'x'] })).toThrow(/two classes the key "x"/);
  });
});
