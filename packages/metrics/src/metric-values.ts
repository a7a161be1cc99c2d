import type { DistanceMetrics } from './distance-metrics.js';
import type { OverlapMetrics } from './overlap.js';

/** All the per-class metrics. NaN marks a value that is undefined (medpy raises, or the `strict` policy says so). */
export interface MetricValues extends OverlapMetrics, DistanceMetrics {}

/** The metric names in report order. Distances are in the units of the spacing (voxels without one). */
export const METRIC_NAMES = [
  'dice',
  'iou',
  'sensitivity',
  'precision',
  'hd',
  'hd95',
  'asd',
  'asdReverse',
  'assd',
] as const satisfies readonly (keyof MetricValues)[];

/** One of `METRIC_NAMES`. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** The distance metrics, which share one rule under each empty-mask policy. */
export const DISTANCE_METRIC_NAMES = ['hd', 'hd95', 'asd', 'asdReverse', 'assd'] as const satisfies readonly MetricName[];

/** Every metric set to one value. */
export function uniformValues(value: number): MetricValues {
  return { dice: value, iou: value, sensitivity: value, precision: value, hd: value, hd95: value, asd: value, asdReverse: value, assd: value };
}
