/** Voxel counts of one class: |P|, |G| and TP = |P ∩ G|. */
export interface OverlapCounts {
  readonly predVoxels: number;
  readonly gtVoxels: number;
  readonly intersection: number;
}

/** The overlap metrics of medpy.metric.binary 0.5.2, with medpy's values where a denominator is 0. */
export interface OverlapMetrics {
  /** 2·TP / (|P| + |G|); 1 when both are empty (`dc`). */
  readonly dice: number;
  /** TP / |P ∪ G|; 1 when both are empty (`jc`). */
  readonly iou: number;
  /** TP / (TP + FN) = TP / |G|; 0 when G is empty (`sensitivity`, `recall`). */
  readonly sensitivity: number;
  /** TP / (TP + FP) = TP / |P|; 0 when P is empty (`precision`). */
  readonly precision: number;
}

export function overlapMetrics({ predVoxels, gtVoxels, intersection }: OverlapCounts): OverlapMetrics {
  const union = predVoxels + gtVoxels - intersection;
  return {
    dice: union === 0 ? 1 : (2 * intersection) / (predVoxels + gtVoxels),
    iou: union === 0 ? 1 : intersection / union,
    sensitivity: gtVoxels === 0 ? 0 : intersection / gtVoxels,
    precision: predVoxels === 0 ? 0 : intersection / predVoxels,
  };
}
