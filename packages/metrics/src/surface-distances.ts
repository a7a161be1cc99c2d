import { boxDims, type Box } from './bounding-box.js';
import { squaredDistanceTransform } from './edt.js';
import type { Grid } from './grid.js';
import type { LabelArray } from './label-map.js';
import { classSurface, type Connectivity } from './surface.js';
import type { Workspace } from './workspace.js';

/** The two directed lists of surface distances of one class, one value per surface voxel, in grid order. */
export interface SurfaceDistances {
  /** d(P→G): for each voxel of S(P), the distance to the nearest voxel centre of S(G). */
  readonly predToGt: Float64Array;
  /** d(G→P): for each voxel of S(G), the distance to the nearest voxel centre of S(P). */
  readonly gtToPred: Float64Array;
}

/** Distances from the voxels of `from` to the nearest voxel of `to`: √EDT(~to) at `from`, as medpy computes them. */
function directed(
  from: Uint8Array,
  fromCount: number,
  to: Uint8Array,
  dims: [number, number, number],
  grid: Grid,
  workspace: Workspace,
): Float64Array {
  const squared = squaredDistanceTransform(to, dims, grid.spacing, workspace.float64('edt', from.length), from);
  const distances = new Float64Array(fromCount);
  let k = 0;
  for (let i = 0; i < from.length; i++) if (from[i] !== 0) distances[k++] = Math.sqrt(squared[i]);
  return distances;
}

/**
 * Surface distances of class c between pred and gt, both non-empty. `box` must hold both masks (their union bounding
 * box): every surface voxel lies in it, so the EDT restricted to it gives the same values at surface voxels as the
 * EDT of the whole volume, since a nearest surface voxel can only be another surface voxel inside the box.
 */
export function surfaceDistances(
  pred: LabelArray,
  gt: LabelArray,
  grid: Grid,
  c: number,
  box: Box,
  workspace: Workspace,
  connectivity: Connectivity = 1,
): SurfaceDistances {
  const dims = boxDims(box);
  const predSurface = classSurface(pred, grid.dims, c, box, grid.erodeAxis0, workspace, 'pred', connectivity);
  const gtSurface = classSurface(gt, grid.dims, c, box, grid.erodeAxis0, workspace, 'gt', connectivity);
  return {
    predToGt: directed(predSurface.mask, predSurface.count, gtSurface.mask, dims, grid, workspace),
    gtToPred: directed(gtSurface.mask, gtSurface.count, predSurface.mask, dims, grid, workspace),
  };
}
