/**
 * Putting a predicted label map on the ground truth's voxel grid using the two NIfTI affines, so `metrics`
 * never scores a prediction stored with flipped or permuted axes as if it were misaligned. Both volumes are
 * in readNifti's layout: data C-order [nk, nj, ni], affine mapping voxel (i, j, k, 1) to world mm.
 */
import type { TypedArray } from '@levit-unet/datasets';

export interface AffineVolume {
  data: TypedArray;
  shape: number[];
  affine: number[][];
}

export interface Alignment {
  data: TypedArray;
  shape: number[];
  /** How pred's voxel axes were mapped onto gt's (e.g. "i→-i, j→k, k→j"), or null when the grids already matched. */
  reoriented: string | null;
}

/** Affine entries within this many voxels of a signed permutation (and integer shift) count as equal. */
const TOLERANCE_VOXELS = 1e-3;
const AXIS = ['i', 'j', 'k'];

function invert3(m: number[][]): number[][] | null {
  const [a, b, c] = m as [number[], number[], number[]];
  const det = a[0]! * (b[1]! * c[2]! - b[2]! * c[1]!) - a[1]! * (b[0]! * c[2]! - b[2]! * c[0]!) + a[2]! * (b[0]! * c[1]! - b[1]! * c[0]!);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return null;
  const cof = (r0: number, r1: number, c0: number, c1: number) => m[r0]![c0]! * m[r1]![c1]! - m[r0]![c1]! * m[r1]![c0]!;
  return [
    [cof(1, 2, 1, 2) / det, -cof(0, 2, 1, 2) / det, cof(0, 1, 1, 2) / det],
    [-cof(1, 2, 0, 2) / det, cof(0, 2, 0, 2) / det, -cof(0, 1, 0, 2) / det],
    [cof(1, 2, 0, 1) / det, -cof(0, 2, 0, 1) / det, cof(0, 1, 0, 1) / det],
  ];
}

/** gt voxel index = T · pred voxel index (+ shift): T = A_gt⁻¹ A_pred, in voxel units. */
function voxelTransform(pred: number[][], gt: number[][]): { linear: number[][]; shift: number[] } | null {
  const inverse = invert3(gt.slice(0, 3).map((row) => row.slice(0, 3)));
  if (!inverse) return null;
  const linear = inverse.map((row) => [0, 1, 2].map((c) => row.reduce((s, v, r) => s + v * pred[r]![c]!, 0)));
  const delta = [0, 1, 2].map((r) => pred[r]![3]! - gt[r]![3]!);
  const shift = inverse.map((row) => row.reduce((s, v, r) => s + v * delta[r]!, 0));
  return { linear, shift };
}

function formatAffine(affine: number[][]): string {
  return `[${affine.slice(0, 3).map((row) => `[${row.map((v) => Number(v.toFixed(4))).join(', ')}]`).join(', ')}]`;
}

/**
 * pred's labels on gt's grid. When the affines describe the same grid in another axis order or direction
 * (T a signed permutation whose flips map 0…n−1 onto n−1…0), pred is permuted/flipped to gt's layout;
 * when they agree it is returned as is; otherwise this throws one line naming both files.
 */
export function alignToGrid(pred: AffineVolume, gt: AffineVolume, names: { pred: string; gt: string }): Alignment {
  const differ = (why: string): never => {
    throw new Error(
      `${names.pred} and ${names.gt} are not on the same voxel grid (${why}): pred affine ${formatAffine(pred.affine)}, ` +
        `gt affine ${formatAffine(gt.affine)}; resample the prediction onto the ground truth, or pass --ignore-affine to compare voxel by voxel`,
    );
  };
  if (pred.shape.length !== 3 || gt.shape.length !== 3) {
    if (pred.shape.join() !== gt.shape.join()) differ(`shapes [${pred.shape}] and [${gt.shape}]`);
    return { data: pred.data, shape: pred.shape, reoriented: null };
  }
  const transform = voxelTransform(pred.affine, gt.affine);
  if (!transform) return differ('a singular affine');
  const { linear, shift } = transform;
  // For each gt axis a (0 = i): the pred axis it comes from and the direction.
  const from: number[] = [];
  const sign: number[] = [];
  for (let a = 0; a < 3; a++) {
    const row = linear[a]!;
    const b = row.findIndex((v) => Math.abs(Math.abs(v) - 1) <= TOLERANCE_VOXELS);
    if (b < 0 || row.some((v, c) => c !== b && Math.abs(v) > TOLERANCE_VOXELS) || from.includes(b)) {
      return differ('the affines differ by more than an axis permutation or flip: different voxel sizes, rotation or shear');
    }
    from.push(b);
    sign.push(Math.sign(row[b]!));
  }
  // readNifti's shape is [nk, nj, ni]: the extent of voxel axis a is shape[2 − a].
  const extent = (shape: number[], axis: number) => shape[2 - axis]!;
  for (let a = 0; a < 3; a++) {
    const n = extent(gt.shape, a);
    if (extent(pred.shape, from[a]!) !== n) {
      differ(`gt axis ${AXIS[a]} has ${n} voxels, pred axis ${AXIS[from[a]!]} mapped onto it has ${extent(pred.shape, from[a]!)}`);
    }
    const expectedShift = sign[a]! > 0 ? 0 : n - 1;
    if (Math.abs(shift[a]! - expectedShift) > TOLERANCE_VOXELS) {
      differ(`the grids are shifted by ${Number((shift[a]! - expectedShift).toFixed(3))} voxels along gt axis ${AXIS[a]}`);
    }
  }
  const identity = from.every((b, a) => b === a) && sign.every((s) => s > 0);
  if (identity) return { data: pred.data, shape: pred.shape, reoriented: null };

  const [nk, nj, ni] = gt.shape as [number, number, number];
  const predStride = [1, extent(pred.shape, 0), extent(pred.shape, 0) * extent(pred.shape, 1)]; // strides of i, j, k
  const out = new (pred.data.constructor as new (n: number) => TypedArray)(pred.data.length);
  // pred voxel index along pred axis from[a] = sign[a] > 0 ? v_gt[a] : n_a − 1 − v_gt[a].
  const step = [0, 1, 2].map((a) => sign[a]! * predStride[from[a]!]!);
  const origin = [0, 1, 2].reduce((s, a) => s + (sign[a]! > 0 ? 0 : (extent(gt.shape, a) - 1) * predStride[from[a]!]!), 0);
  let o = 0;
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      let src = origin + k * step[2]! + j * step[1]!;
      for (let i = 0; i < ni; i++, src += step[0]!) out[o++] = pred.data[src]!;
    }
  }
  const reoriented = [0, 1, 2].map((a) => `${AXIS[from[a]!]}→${sign[a]! < 0 ? '-' : ''}${AXIS[a]}`).join(', ');
  return { data: out, shape: [...gt.shape], reoriented };
}
