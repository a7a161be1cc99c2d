import { describe, expect, it } from 'vitest';
import { evaluateCase } from '../src/index.js';
import { bruteDistances } from './brute-force.js';
import { SeededRandom } from '@levit-unet/datasets';
import { ball, box, emptyVolume, paint, type Volume } from './volumes.js';

/** Random balls and boxes of classes 1…3, some cut by the volume faces, some tiny or far apart. */
function randomLabels(random: () => number, shape: number[]): Volume {
  const volume = emptyVolume(shape);
  for (let blob = 0; blob < 6; blob++) {
    const label = 1 + (blob % 3);
    const centre = shape.map((n) => Math.floor(random() * n));
    if (random() < 0.5) paint(volume, label, ball(centre, 0.5 + random() * 4));
    else {
      const size = shape.map(() => 1 + Math.floor(random() * 5));
      paint(volume, label, box(centre, centre.map((c, k) => c + size[k])));
    }
  }
  return volume;
}

describe('bounding-box evaluation equals a whole-volume brute force', () => {
  const random = SeededRandom.stream(2024);
  const trials = Array.from({ length: 12 }, (_, t) => {
    const shape = t % 4 === 3 ? [1 + Math.floor(random() * 2), 14, 12] : [9, 11, 13];
    const spacing = t % 2 === 0 ? undefined : shape.map(() => 0.4 + random() * 2.5);
    return [t, shape, spacing] as const;
  });

  it.each(trials)('trial %i: shape %j, spacing %j', (_t, shape, spacing) => {
    const pred = randomLabels(random, [...shape]);
    const gt = randomLabels(random, [...shape]);
    const result = evaluateCase(pred, gt, { numClasses: 4, ...(spacing ? { spacingMm: spacing } : {}) });
    for (const k of result.classes) {
      if (k.empty !== 'none') continue;
      const reference = bruteDistances(pred.data, gt.data, shape, k.classId, spacing);
      for (const m of ['hd', 'hd95', 'asd', 'asdReverse', 'assd'] as const) {
        expect(Math.abs(k.medpy[m] - reference[m]), `class ${k.classId} ${m}`).toBeLessThan(1e-9);
      }
      expect(k.counts.predSurfaceVoxels).toBe(reference.predSurfaceVoxels);
      expect(k.counts.gtSurfaceVoxels).toBe(reference.gtSurfaceVoxels);
    }
  });
});
