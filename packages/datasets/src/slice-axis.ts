import { transpose } from './transpose.js';
import type { NdArray, TypedArray } from './volume.js';

/**
 * The NIfTI voxel axis (0 = i, 1 = j, 2 = k) whose direction is closest to the world's
 * superior-inferior (z) axis: the axial slice axis. Read from the affine's columns, so sagittally or
 * coronally stored volumes are sliced axially too.
 */
export function axialVoxelAxis(affine: readonly (readonly number[])[]): 0 | 1 | 2 {
  let best: 0 | 1 | 2 = 2;
  let bestCos = -1;
  for (const axis of [0, 1, 2] as const) {
    const column = [affine[0]![axis]!, affine[1]![axis]!, affine[2]![axis]!];
    const norm = Math.hypot(...column) || 1;
    const cos = Math.abs(column[2]!) / norm;
    if (cos > bestCos + 1e-9) {
      best = axis;
      bestCos = cos;
    }
  }
  return best;
}

/**
 * The axis permutation that turns a 3-D NIfTI array in this package's order (`[nk, nj, ni]`) into an
 * axial (D, H, W) stack: D = the axial voxel axis, H and W = the other two in their stored order
 * (slower axis = rows). For the usual axial storage (k = slice axis) it is the identity, giving
 * (D, H, W) = (k, j, i). No axis is flipped: in-plane orientation is as stored.
 */
export function axialPermutation(affine: readonly (readonly number[])[]): [number, number, number] {
  const cAxis = 2 - axialVoxelAxis(affine);
  return [cAxis, ...[0, 1, 2].filter((a) => a !== cAxis)] as [number, number, number];
}

/** Reorders a 3-D NIfTI array into an axial (D, H, W) stack (see `axialPermutation`). */
export function toAxialStack<T extends TypedArray>(array: NdArray<T>, affine: readonly (readonly number[])[]): NdArray<T> {
  if (array.shape.length !== 3) throw new Error(`toAxialStack: expected a 3-D volume, got [${array.shape.join(', ')}]`);
  const perm = axialPermutation(affine);
  return perm[0] === 0 ? array : transpose(array, perm);
}

/** Inverse of `toAxialStack`: a (D, H, W) stack (e.g. a prediction) back to the NIfTI array order. */
export function fromAxialStack<T extends TypedArray>(stack: NdArray<T>, affine: readonly (readonly number[])[]): NdArray<T> {
  const perm = axialPermutation(affine);
  if (perm[0] === 0) return stack;
  const inverse = [0, 0, 0];
  perm.forEach((p, n) => (inverse[p] = n));
  return transpose(stack, inverse);
}
