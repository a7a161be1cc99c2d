import { describe, expect, it } from 'vitest';
import { evaluateCase, type ClassEvaluation } from '../src/index.js';
import { ball, box, emptyVolume, paint, voxel, type Volume } from './volumes.js';

function scoreClass1(pred: Volume, gt: Volume, spacingMm?: number[]): ClassEvaluation {
  return evaluateCase(pred, gt, { numClasses: 2, ...(spacingMm ? { spacingMm } : {}) }).classes[0];
}

describe('single voxels', () => {
  it('gives the centre distance for every distance metric, in array axis order', () => {
    const shape = [16, 20, 24];
    const pred = paint(emptyVolume(shape), 1, voxel([3, 4, 5]));
    const gt = paint(emptyVolume(shape), 1, voxel([4, 6, 7]));
    const spacing = [2.0, 0.7, 1.1];
    const d = Math.sqrt((1 * 2.0) ** 2 + (2 * 0.7) ** 2 + (2 * 1.1) ** 2);
    const k = scoreClass1(pred, gt, spacing);
    for (const m of ['hd', 'hd95', 'asd', 'asdReverse', 'assd'] as const) expect(k.medpy[m]).toBeCloseTo(d, 12);
    expect(k.medpy.dice).toBe(0);
    expect(k.counts).toEqual({ predVoxels: 1, gtVoxels: 1, intersection: 0, predSurfaceVoxels: 1, gtSurfaceVoxels: 1 });
    // Reversed spacing must give a different answer: the order is the array's, not (x, y, z).
    const reversed = scoreClass1(pred, gt, [...spacing].reverse());
    expect(Math.abs(reversed.medpy.hd - d)).toBeGreaterThan(0.1);
  });

  it('scores identical voxels in a volume corner as perfect', () => {
    const shape = [5, 6, 7];
    const pred = paint(emptyVolume(shape), 1, voxel([4, 5, 6]));
    const k = scoreClass1(pred, pred);
    expect(k.medpy).toMatchObject({ dice: 1, iou: 1, hd: 0, hd95: 0, asd: 0, assd: 0, sensitivity: 1, precision: 1 });
  });
});

describe('a line against a point: HD95 pools both directions and interpolates linearly', () => {
  // P = one voxel at x = 0; G = a 1-voxel line x = D … D+L−1 (thin, so all of it is surface).
  // d(P→G) = [D], d(G→P) = [D, D+1, …, D+L−1]. Pooled and sorted: v = [D, D, D+1, …, D+L−1], n = L + 1.
  // With L = 10, D = 3: h = 0.95·10 = 9.5, v[9] = 11, v[10] = 12 → HD95 = 11.5.
  // The max of the two directed 95th percentiles would be 11.55, a rank-based one 11 or 12.
  const shape = [3, 4, 20];
  const pred = paint(emptyVolume(shape), 1, voxel([1, 2, 0]));
  const gt = paint(emptyVolume(shape), 1, box([1, 2, 3], [2, 3, 13]));

  it('in voxel units', () => {
    const k = scoreClass1(pred, gt);
    expect(k.medpy.hd95).toBeCloseTo(11.5, 12);
    expect(k.medpy.hd).toBe(12);
    expect(k.medpy.asd).toBe(3);
    expect(k.medpy.asdReverse).toBeCloseTo(7.5, 12);
    expect(k.medpy.assd).toBeCloseTo(78 / 11, 12);
  });

  it('scaled by the spacing of the line axis', () => {
    const k = scoreClass1(pred, gt, [5, 7, 0.5]);
    expect(k.medpy.hd95).toBeCloseTo(5.75, 12);
    expect(k.medpy.hd).toBeCloseTo(6, 12);
  });
});

describe('cubes shifted by one voxel', () => {
  // P = cube [2, 2+a)³, G = P shifted by 1 along the last axis, a = 10.
  // Dice = (a−1)/a, IoU = (a−1)/(a+1). |S| = a³ − (a−2)³ = 488 in each mask. From P: the a² voxels of the x = 2
  // face and the (a−2)² inner voxels of the far face are 1 step from S(G); every other surface voxel lies on S(G).
  // So 164 ones and 324 zeros each way: HD = 1, ASD = 164/488, and HD95 = 1 because 328/976 > 5 %.
  const a = 10;
  const shape = [14, 15, 16];
  const pred = paint(emptyVolume(shape), 1, box([2, 2, 2], [2 + a, 2 + a, 2 + a]));
  const gt = paint(emptyVolume(shape), 1, box([2, 2, 3], [2 + a, 2 + a, 3 + a]));

  it('in voxel units', () => {
    const k = scoreClass1(pred, gt);
    expect(k.medpy.dice).toBeCloseTo((a - 1) / a, 12);
    expect(k.medpy.iou).toBeCloseTo((a - 1) / (a + 1), 12);
    expect(k.medpy.sensitivity).toBeCloseTo((a - 1) / a, 12);
    expect(k.medpy.precision).toBeCloseTo((a - 1) / a, 12);
    expect(k.counts.predSurfaceVoxels).toBe(488);
    expect(k.counts.gtSurfaceVoxels).toBe(488);
    expect(k.medpy.hd).toBe(1);
    expect(k.medpy.hd95).toBe(1);
    expect(k.medpy.asd).toBeCloseTo(164 / 488, 12);
    expect(k.medpy.asdReverse).toBeCloseTo(164 / 488, 12);
    expect(k.medpy.assd).toBeCloseTo(164 / 488, 12);
  });

  it('with the shift axis the finest (spacing 0.5 along the last axis, coarser elsewhere)', () => {
    const k = scoreClass1(pred, gt, [2, 1.5, 0.5]);
    expect(k.medpy.hd).toBeCloseTo(0.5, 12);
    expect(k.medpy.asd).toBeCloseTo((0.5 * 164) / 488, 12);
  });
});

describe('a far voxel changes HD but not HD95', () => {
  // G = cube of side 6; P = G plus one voxel at distance D = 9 from the nearest cube voxel (along the last axis).
  // d(P→G) = [0 × |S|, D], d(G→P) = [0 × |S|] with |S| = 6³ − 4³ = 152: HD = D, HD95 = 0,
  // ASD = D / (|S| + 1), ASD reverse = 0, ASSD = D / (2|S| + 1).
  const shape = [10, 10, 24];
  const gt = paint(emptyVolume(shape), 1, box([2, 2, 2], [8, 8, 8]));
  const pred = paint(paint(emptyVolume(shape), 1, box([2, 2, 2], [8, 8, 8])), 1, voxel([4, 4, 16]));

  it('matches the closed form', () => {
    const k = scoreClass1(pred, gt);
    expect(k.medpy.hd).toBe(9);
    expect(k.medpy.hd95).toBe(0);
    expect(k.medpy.asd).toBeCloseTo(9 / 153, 12);
    expect(k.medpy.asdReverse).toBe(0);
    expect(k.medpy.assd).toBeCloseTo(9 / 305, 12);
  });
});

describe('spheres shifted by k voxels', () => {
  // The pole of the shifted ball lies k·s from every voxel of the original ball, and every surface voxel has its
  // translate k·s away, so HD = k·s exactly (s: spacing along the shift axis), whatever the digitisation.
  it.each([
    [1, 1],
    [3, 1],
    [2, 0.8],
  ])('shift %i with spacing %f', (k, s) => {
    const shape = [20, 22, 26];
    const gt = paint(emptyVolume(shape), 1, ball([10, 11, 10], 6.5));
    const pred = paint(emptyVolume(shape), 1, ball([10, 11, 10 + k], 6.5));
    const result = scoreClass1(pred, gt, [1.3, 1.1, s]);
    expect(result.medpy.hd).toBeCloseTo(k * s, 12);
    expect(result.medpy.hd95).toBeLessThanOrEqual(k * s + 1e-12);
    expect(result.medpy.dice).toBeLessThan(1);
  });
});

describe('objects touching the volume edge (outside counts as background)', () => {
  // G fills the n³ volume, P = G without its last slice along the last axis. S(G) is the outer layer.
  // From P, only the (n−2)² inner voxels of its x = n−2 face are off S(G), at distance 1; from G, the n² voxels of
  // the x = n−1 face are off S(P), at distance 1. Dice = 2(n−1)n² / (n³ + (n−1)n²) = 2(n−1)/(2n−1).
  const n = 6;
  const shape = [n, n, n];
  const gt = paint(emptyVolume(shape), 1, () => true);
  const pred = paint(emptyVolume(shape), 1, box([0, 0, 0], [n, n, n - 1]));

  it('has surfaces on the volume faces', () => {
    const k = scoreClass1(pred, gt);
    const gtSurface = n ** 3 - (n - 2) ** 3;
    const predSurface = n * n * (n - 1) - (n - 2) * (n - 2) * (n - 3);
    expect(k.counts.gtSurfaceVoxels).toBe(gtSurface);
    expect(k.counts.predSurfaceVoxels).toBe(predSurface);
    expect(k.medpy.dice).toBeCloseTo((2 * (n - 1)) / (2 * n - 1), 12);
    expect(k.medpy.hd).toBe(1);
    expect(k.medpy.asd).toBeCloseTo((n - 2) ** 2 / predSurface, 12);
    expect(k.medpy.asdReverse).toBeCloseTo((n * n) / gtSurface, 12);
  });

  it('makes every voxel of a single-slice volume a surface voxel', () => {
    const slab = paint(emptyVolume([1, 8, 9]), 1, box([0, 1, 1], [1, 7, 8]));
    expect(scoreClass1(slab, slab).counts.gtSurfaceVoxels).toBe(6 * 7);
  });
});

describe('2-D label maps use the 4-neighbourhood', () => {
  it('has a square ring as the surface of a square and pools distances like 3-D', () => {
    const gt = paint(emptyVolume([12, 14]), 1, box([2, 2], [7, 7]));
    const pred = paint(emptyVolume([12, 14]), 1, box([2, 4], [7, 9]));
    const k = scoreClass1(pred, gt, [0.5, 2]);
    // A 5×5 square has 16 boundary pixels; shifted by 2 columns (2 · 2 mm): HD = 4 mm, Dice = 3/5.
    expect(k.counts.gtSurfaceVoxels).toBe(16);
    expect(k.medpy.dice).toBeCloseTo(3 / 5, 12);
    expect(k.medpy.hd).toBeCloseTo(4, 12);
  });
});
