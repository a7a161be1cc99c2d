import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readNpy, sharedPath } from '@levit-unet/test-utils';
import { describe, expect, it } from 'vitest';
import { evaluateCase, summarize, type MetricName } from '../src/index.js';

/** medpy's names in expected.json → ours. */
const metricKeys: Record<string, MetricName> = {
  dice: 'dice',
  jaccard: 'iou',
  sensitivity: 'sensitivity',
  precision: 'precision',
  hd: 'hd',
  hd95: 'hd95',
  asd: 'asd',
  asd_reverse: 'asdReverse',
  assd: 'assd',
};

interface ExpectedClass {
  [metric: string]: unknown;
  transunet: { dice: number; hd95: number };
  counts: Record<string, number>;
}

interface ExpectedCase {
  name: string;
  gt: string;
  pred: string;
  shape: number[];
  spacing: number[] | null;
  num_classes: number;
  classes: Record<string, ExpectedClass>;
  transunet_mean: { dice: number; hd95: number };
}

const expectedPath = sharedPath('fixtures/metrics/expected.json');
const expected = expectedPath
  ? (JSON.parse(readFileSync(expectedPath, 'utf8')) as { tolerances: Record<string, number>; cases: ExpectedCase[] })
  : null;

describe.skipIf(!expected)('medpy 0.5.2 / TransUNet reference values (shared/fixtures/metrics)', () => {
  const fixtureDir = dirname(expectedPath ?? '');
  const tolerances = expected?.tolerances ?? {};
  const cases = expected?.cases ?? [];

  it('holds the 22 documented cases, edge cases and real CT included', () => {
    expect(cases).toHaveLength(22);
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(['synth_a', 'edge_singleton_axis_aniso', 'real_morph_spacing']));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const pred = readNpy(join(fixtureDir, c.pred));
    const gt = readNpy(join(fixtureDir, c.gt));
    expect(gt.shape).toEqual(c.shape);
    const result = evaluateCase(pred, gt, { numClasses: c.num_classes, spacingMm: c.spacing });
    expect(result.classes.map((k) => String(k.classId))).toEqual(Object.keys(c.classes));
    for (const k of result.classes) {
      const want = c.classes[String(k.classId)];
      const where = `${c.name} class ${k.classId}`;
      for (const [key, ours] of Object.entries(metricKeys)) {
        const value = want[key] as number | null;
        if (value === null) expect(k.medpy[ours], `${where} ${key} (medpy raises)`).toBeNaN();
        else expect(Math.abs(k.medpy[ours] - value), `${where} ${key}: ${k.medpy[ours]} vs ${value}`).toBeLessThanOrEqual(tolerances[key]);
      }
      expect(Math.abs(k.values.dice - want.transunet.dice), `${where} transunet dice`).toBeLessThanOrEqual(tolerances.dice);
      expect(Math.abs(k.values.hd95 - want.transunet.hd95), `${where} transunet hd95`).toBeLessThanOrEqual(tolerances.hd95);
      expect(
        {
          gt_voxels: k.counts.gtVoxels,
          pred_voxels: k.counts.predVoxels,
          intersection: k.counts.intersection,
          gt_surface_voxels: k.counts.gtSurfaceVoxels,
          pred_surface_voxels: k.counts.predSurfaceVoxels,
        },
        `${where} counts`,
      ).toEqual(want.counts);
    }
    // TransUNet's per-case line: the mean of the (dice, hd95) pairs over classes 1 … C−1.
    const { mean } = summarize([{ name: c.name, evaluation: result }]).cases[0];
    expect(Math.abs(mean.dice.mean - c.transunet_mean.dice)).toBeLessThanOrEqual(tolerances.dice);
    expect(Math.abs(mean.hd95.mean - c.transunet_mean.hd95)).toBeLessThanOrEqual(tolerances.hd95);
    expect(mean.dice.count).toBe(c.num_classes - 1);
  });
});
