import { transpose } from './transpose.js';
import type { NdArray, TypedArray } from '../volume.js';

/** |cosine| between voxel axis `axis` (a column of the affine) and world axis `world` (0 x, 1 y, 2 z). */
function alignment(affine: readonly (readonly number[])[], axis: number, world: number): number {
  const column = [affine[0]![axis]!, affine[1]![axis]!, affine[2]![axis]!];
  return Math.abs(column[world]!) / (Math.hypot(...column) || 1);
}

/**
 * The NIfTI voxel axis (0 = i, 1 = j, 2 = k) whose direction is closest to the world's
 * superior-inferior (z) axis: the axial slice axis. Read from the affine's columns, so sagittally or
 * coronally stored volumes are sliced axially too.
 */
export function axialVoxelAxis(affine: readonly (readonly number[])[]): 0 | 1 | 2 {
  let best: 0 | 1 | 2 = 2;
  for (const axis of [1, 0] as const) if (alignment(affine, axis, 2) > alignment(affine, best, 2) + 1e-9) best = axis;
  return best;
}

/**
 * The axis permutation that turns a 3-D NIfTI array in this package's order (`[nk, nj, ni]`) into an
 * axial (D, H, W) stack: D = the voxel axis closest to world superior-inferior, H = of the other two the
 * one closest to anterior-posterior (rows), W = the remaining one, left-right (columns). For the usual
 * axial storage it is the identity, (D, H, W) = (k, j, i). Axes are only permuted, never flipped: the
 * direction along each axis is as stored (e.g. row 0 is anterior for LPS-stored scans, posterior for
 * RAS-stored ones).
 */
export function axialPermutation(affine: readonly (readonly number[])[]): [number, number, number] {
  const slice = axialVoxelAxis(affine);
  const [a, b] = [0, 1, 2].filter((axis) => axis !== slice) as [number, number];
  const [rows, cols] = alignment(affine, a, 1) > alignment(affine, b, 1) + 1e-9 ? [a, b] : [b, a];
  // voxel axis v is C-order axis 2 - v
  return [2 - slice, 2 - rows, 2 - cols];
}

/** Reorders a 3-D NIfTI array into an axial (D, H, W) stack (see `axialPermutation`). */
export function toAxialStack<T extends TypedArray>(array: NdArray<T>, affine: readonly (readonly number[])[]): NdArray<T> {
  if (array.shape.length !== 3) throw new Error(`toAxialStack: expected a 3-D volume, got [${array.shape.join(', ')}]`);
  const perm = axialPermutation(affine);
  return perm.every((p, n) => p === n) ? array : transpose(array, perm);
}

/** Inverse of `toAxialStack`: a (D, H, W) stack (e.g. a prediction) back to the NIfTI array order. */
export function fromAxialStack<T extends TypedArray>(stack: NdArray<T>, affine: readonly (readonly number[])[]): NdArray<T> {
  const perm = axialPermutation(affine);
  if (perm.every((p, n) => p === n)) return stack;
  const inverse = [0, 0, 0];
  perm.forEach((p, n) => (inverse[p] = n));
  return transpose(stack, inverse);
}
