import { describe, expect, it } from 'vitest';
import {
  applyAugmentation,
  drawAugmentation,
  parseNpy,
  predictVolume,
  SeededRandom,
  transunetAugment,
  type AugmentDecision,
} from '../src/index.js';
import { fixtureBytes, fixtureJson } from './fixtures.js';
import { labelPattern, maxAbsDiff, pattern } from './patterns.js';

const sample = () => ({
  image: pattern(96, 80),
  label: { data: Int32Array.from(labelPattern(96, 80).data), shape: [96, 80] },
});

describe('TransUNet RandomGenerator for fixed draws, against the official code run with scipy', () => {
  const decisions = fixtureJson<Array<[string, ...number[]]>>('scipy/transunet_decisions.json');
  const images = parseNpy(fixtureBytes('scipy/transunet_96x80_to_40x36_images.npy'));
  const labels = parseNpy(fixtureBytes('scipy/transunet_96x80_to_40x36_labels.npy'));
  decisions.forEach(([kind, a, b], n) => {
    const decision: AugmentDecision =
      kind === 'rotflip' ? { kind, k: a!, axis: b as 0 | 1 } : kind === 'rotate' ? { kind, angle: a! } : { kind: 'none' };
    it(`${JSON.stringify(decision)}: image within 1e-5, label identical`, () => {
      const out = applyAugmentation(sample(), decision, [40, 36]);
      expect(out.image.shape).toEqual([40, 36]);
      expect(maxAbsDiff(out.image.data, images.data.subarray(n * 1440, (n + 1) * 1440))).toBeLessThan(1e-5);
      expect(Array.from(out.label.data)).toEqual(Array.from(labels.data.subarray(n * 1440, (n + 1) * 1440)));
    });
  });
});

describe('drawAugmentation', () => {
  it('has TransUNet branch probabilities 1/2, 1/4, 1/4 and numpy ranges (k 0..3, axis 0..1, angle -20..19)', () => {
    const rng = new SeededRandom(7);
    const counts = { none: 0, rotflip: 0, rotate: 0 };
    const ks = new Set<number>();
    const axes = new Set<number>();
    const angles = new Set<number>();
    const n = 40000;
    for (let i = 0; i < n; i++) {
      const d = drawAugmentation(rng);
      counts[d.kind]++;
      if (d.kind === 'rotflip') {
        ks.add(d.k);
        axes.add(d.axis);
      } else if (d.kind === 'rotate') angles.add(d.angle);
    }
    expect(counts.rotflip / n).toBeCloseTo(0.5, 1);
    expect(counts.rotate / n).toBeCloseTo(0.25, 1);
    expect(counts.none / n).toBeCloseTo(0.25, 1);
    expect([...ks].sort()).toEqual([0, 1, 2, 3]);
    expect([...axes].sort()).toEqual([0, 1]);
    expect(Math.min(...angles)).toBe(-20);
    expect(Math.max(...angles)).toBe(19);
    expect(angles.size).toBe(40);
  });

  it('is reproducible from the seed', () => {
    const a = transunetAugment(sample(), new SeededRandom(3), [64, 64]);
    const b = transunetAugment(sample(), new SeededRandom(3), [64, 64]);
    expect(a.image.data).toEqual(b.image.data);
    expect(a.label.data).toEqual(b.label.data);
    const draws = (seed: number) => Array.from({ length: 20 }, () => JSON.stringify(drawAugmentation(new SeededRandom(seed))));
    expect(draws(1)).toEqual(draws(1));
  });
});

describe('predictVolume (test_single_volume without the network)', () => {
  it('resizes each slice to the patch (order 3) and the prediction back (order 0)', async () => {
    const volume = { data: new Float32Array(3 * 50 * 40), shape: [3, 50, 40] };
    for (let z = 0; z < 3; z++) volume.data.fill(z + 1, z * 2000, (z + 1) * 2000);
    const seen: number[][] = [];
    const prediction = await predictVolume(
      volume,
      (patch, z) => {
        seen.push(patch.shape);
        // a constant slice stays constant through the cubic resize
        expect(maxAbsDiff(patch.data, new Float32Array(patch.data.length).fill(z + 1))).toBeLessThan(1e-5);
        const label = new Int32Array(24 * 24);
        for (let r = 0; r < 24; r++) for (let c = 0; c < 24; c++) label[r * 24 + c] = r < 12 ? z : 7;
        return { data: label, shape: [24, 24] };
      },
      [24, 24],
    );
    expect(seen).toEqual([
      [24, 24],
      [24, 24],
      [24, 24],
    ]);
    expect(prediction.shape).toEqual([3, 50, 40]);
    // nearest sampling of row r at 23 * r / 49: rows 0..24 come from patch rows < 12
    for (let z = 0; z < 3; z++) {
      expect(prediction.data[z * 2000 + 24 * 40]).toBe(z);
      expect(prediction.data[z * 2000 + 26 * 40]).toBe(7);
    }
  });
});
