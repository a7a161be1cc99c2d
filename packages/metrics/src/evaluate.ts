import { takeCensus, type Census } from './census.js';
import { gtVoxels, intersectionVoxels, predVoxels, type ConfusionMatrix } from './confusion-matrix.js';
import { distanceMetrics } from './distance-metrics.js';
import { gridDiagonal, toGrid, type Grid } from './grid.js';
import { assertLabelMapPair, type LabelArray, type LabelMap } from './label-map.js';
import { uniformValues, type MetricValues } from './metric-values.js';
import { overlapMetrics, type OverlapCounts } from './overlap.js';
import { applyPolicy, assertPolicy, emptiness, type Emptiness, type PolicyName } from './policies.js';
import { surfaceDistances } from './surface-distances.js';
import { assertConnectivity, classSurface, type Connectivity } from './surface.js';
import { unionBox, type Box } from './bounding-box.js';
import { Workspace } from './workspace.js';

/** Options of `evaluateCase`: class count, voxel spacing, the empty-mask policy. */
export interface EvaluateOptions {
  /** C, background included: labels are integers in [0, C). */
  readonly numClasses: number;
  /**
   * Voxel size per array axis, in array axis order (e.g. [3, 0.76, 0.76] for (slices, H, W)); absent or null:
   * distances in voxels, as TransUNet.
   */
  readonly spacingMm?: readonly number[] | null;
  /** Empty-mask policy, default `transunet`. */
  readonly policy?: PolicyName;
  /** Classes to score, default 1 … C − 1. */
  readonly classIds?: readonly number[];
  /**
   * medpy's `connectivity`: the surface is M minus its erosion by generate_binary_structure(rank, connectivity);
   * 1 (default, medpy's and TransUNet's) uses face neighbours, 2 adds edge neighbours, 3 corner neighbours.
   */
  readonly connectivity?: Connectivity;
}

/** Voxel counts of one class: the overlap counts and the surface voxels of each mask. */
export interface ClassCounts extends OverlapCounts {
  readonly predSurfaceVoxels: number;
  readonly gtSurfaceVoxels: number;
}

/** The metrics of one class of a case, and which of its masks are empty. */
export interface ClassEvaluation {
  readonly classId: number;
  readonly counts: ClassCounts;
  readonly empty: Emptiness;
  /** medpy.metric.binary 0.5.2 values, with NaN where medpy raises (a distance with an empty mask). */
  readonly medpy: MetricValues;
  /** The values under the chosen policy: these are the ones to report and average. */
  readonly values: MetricValues;
}

/** The metrics of one case (one label map against its ground truth), per class. */
export interface CaseEvaluation {
  readonly shape: readonly number[];
  readonly spacingMm: readonly number[] | null;
  readonly numClasses: number;
  readonly policy: PolicyName;
  readonly connectivity: Connectivity;
  /** The grid diagonal √Σ((n_k − 1)·s_k)², the `strict` policy's distance for a class missing on one side. */
  readonly diagonal: number;
  readonly confusion: ConfusionMatrix;
  readonly classes: readonly ClassEvaluation[];
}

function assertClassIds(classIds: readonly number[], numClasses: number): void {
  for (const c of classIds) {
    if (!Number.isInteger(c) || c < 1 || c >= numClasses) {
      throw new Error(`classIds must hold integers in [1, numClasses) = [1, ${numClasses}), got ${c}`);
    }
  }
}

/** The surface voxel count of class c in a map where the other side is empty. */
function loneSurfaceCount(
  labels: LabelArray,
  grid: Grid,
  c: number,
  box: Box | null,
  workspace: Workspace,
  connectivity: Connectivity,
): number {
  return box ? classSurface(labels, grid.dims, c, box, grid.erodeAxis0, workspace, 'surface', connectivity).count : 0;
}

/** Scores class c of a validated pair from its census. Exported for the benchmark, which times classes one by one. */
export function evaluateClass(
  pred: LabelArray,
  gt: LabelArray,
  grid: Grid,
  census: Census,
  c: number,
  policy: PolicyName,
  workspace: Workspace,
  connectivity: Connectivity = 1,
): ClassEvaluation {
  const counts: OverlapCounts = {
    predVoxels: predVoxels(census, c),
    gtVoxels: gtVoxels(census, c),
    intersection: intersectionVoxels(census, c),
  };
  const empty = emptiness(counts);
  const overlap = overlapMetrics(counts);
  const predBox = census.predBoxes[c];
  const gtBox = census.gtBoxes[c];
  let medpy: MetricValues;
  let predSurfaceVoxels: number;
  let gtSurfaceVoxels: number;
  if (predBox && gtBox) {
    const distances = surfaceDistances(pred, gt, grid, c, unionBox(predBox, gtBox), workspace, connectivity);
    medpy = { ...overlap, ...distanceMetrics(distances) };
    predSurfaceVoxels = distances.predToGt.length;
    gtSurfaceVoxels = distances.gtToPred.length;
  } else {
    // medpy raises for every distance when either mask is empty.
    medpy = { ...uniformValues(NaN), ...overlap };
    predSurfaceVoxels = loneSurfaceCount(pred, grid, c, predBox, workspace, connectivity);
    gtSurfaceVoxels = loneSurfaceCount(gt, grid, c, gtBox, workspace, connectivity);
  }
  return {
    classId: c,
    counts: { ...counts, predSurfaceVoxels, gtSurfaceVoxels },
    empty,
    medpy,
    values: applyPolicy(policy, counts, medpy, gridDiagonal(grid)),
  };
}

/**
 * Every metric for every class of one (pred, gt) pair of 2-D or 3-D label maps, in one pass over the maps plus
 * work inside each class's bounding box.
 */
export function evaluateCase(pred: LabelMap, gt: LabelMap, options: EvaluateOptions): CaseEvaluation {
  const { numClasses, spacingMm, policy = 'transunet', connectivity = 1 } = options;
  assertLabelMapPair(pred, gt, numClasses);
  assertPolicy(policy);
  assertConnectivity(connectivity);
  const grid = toGrid(pred.shape, spacingMm);
  const classIds = options.classIds ?? Array.from({ length: numClasses - 1 }, (_, k) => k + 1);
  assertClassIds(classIds, numClasses);
  const census = takeCensus(pred.data, gt.data, grid.dims, numClasses);
  const workspace = new Workspace();
  return {
    shape: [...pred.shape],
    spacingMm: spacingMm ? [...spacingMm] : null,
    numClasses,
    policy,
    connectivity,
    diagonal: gridDiagonal(grid),
    confusion: { numClasses, counts: census.counts },
    classes: classIds.map((c) => evaluateClass(pred.data, gt.data, grid, census, c, policy, workspace, connectivity)),
  };
}
