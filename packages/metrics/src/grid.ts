import { assertSpacing } from './spacing.js';

/**
 * A 2-D or 3-D array seen as 3-D: a 2-D shape [H, W] becomes [1, H, W]. `erodeAxis0` is false for 2-D input,
 * where the added axis is not a real one: the 2-D surface uses the 4-neighbourhood (medpy's
 * generate_binary_structure(2, 1)), while a real singleton axis of a 3-D volume makes every voxel a surface voxel.
 */
export interface Grid {
  readonly dims: readonly [number, number, number];
  readonly spacing: readonly [number, number, number];
  readonly erodeAxis0: boolean;
}

/** The grid of `shape`, with `spacingMm` (array axis order) or, when it is absent or null, unit spacing. */
export function toGrid(shape: readonly number[], spacingMm?: readonly number[] | null): Grid {
  if (spacingMm != null) assertSpacing(spacingMm, shape.length);
  const spacing = spacingMm ?? shape.map(() => 1);
  if (shape.length === 2) {
    return { dims: [1, shape[0], shape[1]], spacing: [1, spacing[0], spacing[1]], erodeAxis0: false };
  }
  return { dims: [shape[0], shape[1], shape[2]], spacing: [spacing[0], spacing[1], spacing[2]], erodeAxis0: true };
}

/** Largest distance between two voxel centres of the grid: √Σ((n_k − 1)·s_k)². */
export function gridDiagonal(grid: Grid): number {
  let sum = 0;
  for (let k = 0; k < 3; k++) sum += ((grid.dims[k] - 1) * grid.spacing[k]) ** 2;
  return Math.sqrt(sum);
}
