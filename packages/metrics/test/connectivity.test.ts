/**
 * medpy's `connectivity` argument: the surface is the mask minus its erosion by
 * generate_binary_structure(rank, connectivity). Checked against a brute force over the whole volume, and
 * against medpy itself through the shared fixtures' convention probes (how many hd95 values medpy's own
 * connectivity-2 and -3 surfaces change).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SeededRandom } from '@levit-unet/datasets';
import { readNpy, sharedPath } from '@levit-unet/test-utils';
import { describe, expect, it } from 'vitest';
import { evaluateCase, MAX_NUM_CLASSES, type Connectivity } from '../src/index.js';
import { bruteDistances } from './brute-force.js';
import { ball, box, emptyVolume, paint, type Volume } from './volumes.js';

function randomLabels(random: () => number, shape: number[]): Volume {
  const volume = emptyVolume(shape);
  for (let blob = 0; blob < 5; blob++) {
    const label = 1 + (blob % 2);
    const centre = shape.map((n) => Math.floor(random() * n));
    if (random() < 0.5) paint(volume, label, ball(centre, 0.5 + random() * 3.5));
    else {
      const size = shape.map(() => 1 + Math.floor(random() * 5));
      paint(volume, label, box(centre, centre.map((c, k) => c + size[k])));
    }
  }
  return volume;
}

describe('connectivity 2 and 3 equal a whole-volume brute force of medpy\'s definition', () => {
  const random = SeededRandom.stream(77);
  const trials = ([2, 3] as const).flatMap((connectivity) =>
    [[9, 10, 11], [2, 12, 10], [13, 14]].map((shape, t) => [connectivity, shape, t === 1 ? [2.5, 0.8, 0.7] : undefined] as const),
  );

  it.each(trials)('connectivity %i, shape %j, spacing %j', (connectivity, shape, spacing) => {
    const pred = randomLabels(random, [...shape]);
    const gt = randomLabels(random, [...shape]);
    const result = evaluateCase(pred, gt, { numClasses: 3, connectivity, ...(spacing ? { spacingMm: spacing } : {}) });
    expect(result.connectivity).toBe(connectivity);
    let checked = 0;
    for (const k of result.classes) {
      if (k.empty !== 'none') continue;
      const reference = bruteDistances(pred.data, gt.data, shape, k.classId, spacing, connectivity);
      for (const m of ['hd', 'hd95', 'asd', 'asdReverse', 'assd'] as const) {
        expect(Math.abs(k.medpy[m] - reference[m]), `class ${k.classId} ${m}`).toBeLessThan(1e-9);
      }
      expect([k.counts.predSurfaceVoxels, k.counts.gtSurfaceVoxels]).toEqual([reference.predSurfaceVoxels, reference.gtSurfaceVoxels]);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('has fewer surface voxels the larger the connectivity, for a ball', () => {
    const shape = [15, 15, 15];
    const volume = emptyVolume(shape);
    paint(volume, 1, ball([7, 7, 7], 5));
    const counts = ([1, 2, 3] as const).map(
      (connectivity) => evaluateCase(volume, volume, { numClasses: 2, connectivity }).classes[0]!.counts.gtSurfaceVoxels,
    );
    expect(counts[0]).toBeLessThan(counts[1]!);
    expect(counts[1]).toBeLessThan(counts[2]!);
  });

  it('refuses other connectivities and absurd class counts with one clear line', () => {
    const v = emptyVolume([2, 3, 4]);
    expect(() => evaluateCase(v, v, { numClasses: 2, connectivity: 4 as Connectivity })).toThrow(
      'connectivity must be 1 (face neighbours), 2 (and edges) or 3 (and corners), got 4',
    );
    expect(() => evaluateCase(v, v, { numClasses: 30_000 })).toThrow(
      `numClasses 30000 is too large: at most ${MAX_NUM_CLASSES} classes are supported (the confusion matrix would need 6.7 GiB)`,
    );
  });
});

interface ExpectedCase {
  gt: string;
  pred: string;
  spacing: number[] | null;
  num_classes: number;
  classes: Record<string, { hd95: number | null }>;
}

const expectedPath = sharedPath('fixtures/metrics/expected.json');

describe.skipIf(!expectedPath)('medpy\'s own connectivity-2/3 surfaces (shared/fixtures/metrics convention probes)', () => {
  it('changes hd95 in exactly the entries medpy\'s connectivity-2 and -3 erosions change', () => {
    const expected = JSON.parse(readFileSync(expectedPath!, 'utf8')) as {
      tolerances: { hd95: number };
      cases: ExpectedCase[];
      convention_probes: Record<string, { entries_that_differ: number; entries_checked: number }>;
    };
    const probes = expected.convention_probes;
    const want: Record<Connectivity, { entries_that_differ: number; entries_checked: number }> = {
      1: { entries_that_differ: 0, entries_checked: 127 },
      2: probes['hd95 with connectivity-2 erosion for the surface']!,
      3: probes['hd95 with connectivity-3 erosion for the surface']!,
    };
    const dir = dirname(expectedPath!);
    const differ: Record<Connectivity, number> = { 1: 0, 2: 0, 3: 0 };
    let checked = 0;
    for (const c of expected.cases) {
      const pred = readNpy(join(dir, c.pred));
      const gt = readNpy(join(dir, c.gt));
      for (const connectivity of [1, 2, 3] as const) {
        const result = evaluateCase(pred, gt, { numClasses: c.num_classes, spacingMm: c.spacing, connectivity });
        for (const k of result.classes) {
          const medpy = c.classes[String(k.classId)]!.hd95;
          if (medpy === null) continue;
          if (connectivity === 1) checked++;
          if (Math.abs(k.medpy.hd95 - medpy) > expected.tolerances.hd95) differ[connectivity]++;
        }
      }
    }
    expect(checked).toBe(want[3].entries_checked);
    expect(differ).toEqual({ 1: 0, 2: want[2].entries_that_differ, 3: want[3].entries_that_differ });
  }, 120_000);
});
