import { percentileLinear } from './percentile.js';
import type { SurfaceDistances } from './surface-distances.js';

/** The surface-distance metrics of medpy.metric.binary 0.5.2 for one class, in the units of the spacing. */
export interface DistanceMetrics {
  /** Hausdorff distance: max(max d(P→G), max d(G→P)). */
  readonly hd: number;
  /** 95th percentile (numpy 'linear') of d(P→G) and d(G→P) pooled into one list, as medpy's `hd95`. */
  readonly hd95: number;
  /** Average surface distance pred → gt: mean d(P→G), medpy's `asd(result=pred, reference=gt)`. */
  readonly asd: number;
  /** Average surface distance gt → pred: mean d(G→P). */
  readonly asdReverse: number;
  /** Average symmetric surface distance, medpy 0.5.2: (Σd(P→G) + Σd(G→P)) / (|S(P)| + |S(G)|). */
  readonly assd: number;
}

function sumAndMax(values: Float64Array): [number, number] {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (values[i] > max) max = values[i];
  }
  return [sum, max];
}

/** hd, hd95, asd (both ways) and assd from the two directed lists, which must both be non-empty. */
export function distanceMetrics({ predToGt, gtToPred }: SurfaceDistances): DistanceMetrics {
  const [sumPG, maxPG] = sumAndMax(predToGt);
  const [sumGP, maxGP] = sumAndMax(gtToPred);
  const pooled = new Float64Array(predToGt.length + gtToPred.length);
  pooled.set(predToGt);
  pooled.set(gtToPred, predToGt.length);
  return {
    hd: Math.max(maxPG, maxGP),
    hd95: percentileLinear(pooled, 95),
    asd: sumPG / predToGt.length,
    asdReverse: sumGP / gtToPred.length,
    assd: (sumPG + sumGP) / pooled.length,
  };
}
