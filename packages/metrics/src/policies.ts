import { overlapMetrics, type OverlapCounts } from './overlap.js';
import { DISTANCE_METRIC_NAMES, type MetricValues } from './metric-values.js';

/**
 * What to report when a class is absent from pred, gt or both:
 * - `transunet`: TransUNet's `calculate_metric_percase`, extended to every metric. Dice and HD95 are exactly
 *   TransUNet's: pred and gt non-empty → medpy values; pred non-empty and gt empty → Dice 1, HD95 0 (a false-positive
 *   class scores as perfect); pred empty → Dice 0, HD95 0 (also when gt is empty too, where medpy's own `dc` gives 1).
 *   IoU, sensitivity and precision take Dice's value (1 or 0) and hd, asd, asdReverse and assd take HD95's (0).
 *   Nothing is ever NaN, so every class counts in every mean, as in the papers.
 * - `strict`: nothing is scored as perfect by default; undefined values are NaN, excluded from means and counted.
 *   Both empty → every metric NaN. One empty → Dice 0, IoU 0 and every distance the grid diagonal
 *   √Σ((n_k − 1)·s_k)², the largest distance any prediction could have; the ratio whose denominator is the empty mask
 *   is NaN (sensitivity = TP/|G| when gt is empty, precision = TP/|P| when pred is empty), the other one is 0.
 */
export type PolicyName = 'transunet' | 'strict';

/** The empty-mask policies: TransUNet's, and strict. */
export const POLICY_NAMES: readonly PolicyName[] = ['transunet', 'strict'];

/** Which of the two masks of a class are empty. */
export type Emptiness = 'none' | 'gt' | 'pred' | 'both';

export function emptiness({ predVoxels, gtVoxels }: OverlapCounts): Emptiness {
  if (predVoxels > 0) return gtVoxels > 0 ? 'none' : 'gt';
  return gtVoxels > 0 ? 'pred' : 'both';
}

export function assertPolicy(policy: string): asserts policy is PolicyName {
  if (!(POLICY_NAMES as readonly string[]).includes(policy)) {
    throw new Error(`policy must be one of ${POLICY_NAMES.join(', ')}; got ${JSON.stringify(policy)}`);
  }
}

function withDistances(values: MetricValues, distance: number): MetricValues {
  const out = { ...values };
  for (const name of DISTANCE_METRIC_NAMES) out[name] = distance;
  return out;
}

/**
 * The reported values of one class under `policy`, from its medpy values (NaN distances when a mask is empty).
 * `diagonal` is the grid diagonal in the units of the spacing.
 */
export function applyPolicy(
  policy: PolicyName,
  counts: OverlapCounts,
  medpy: MetricValues,
  diagonal: number,
): MetricValues {
  const empty = emptiness(counts);
  if (empty === 'none') return medpy;
  if (policy === 'transunet') {
    const overlap = empty === 'gt' ? 1 : 0;
    return withDistances({ ...medpy, dice: overlap, iou: overlap, sensitivity: overlap, precision: overlap }, 0);
  }
  if (empty === 'both') return withDistances({ ...medpy, dice: NaN, iou: NaN, sensitivity: NaN, precision: NaN }, NaN);
  const overlap = overlapMetrics(counts);
  return withDistances(
    {
      ...medpy,
      ...overlap,
      sensitivity: empty === 'gt' ? NaN : overlap.sensitivity,
      precision: empty === 'pred' ? NaN : overlap.precision,
    },
    diagonal,
  );
}
