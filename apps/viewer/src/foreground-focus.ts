import { axialVoxelAxis, type NdArray } from '@levit-unet/datasets';

/** Where to point the views after segmenting: the axial slice with the most labelled voxels, at their centroid. */
export interface ForegroundFocus {
  /** Voxel (i, j, k) of the scan. */
  readonly voxel: readonly [number, number, number];
  /** The same point in world millimetres (the scan's affine). */
  readonly mm: readonly [number, number, number];
  /** The voxel axis (0 = i, 1 = j, 2 = k) closest to superior-inferior and the slice's index along it. */
  readonly axialAxis: 0 | 1 | 2;
  readonly axialSlice: number;
  /** Labelled voxels on that slice. */
  readonly sliceVoxels: number;
}

/** `labels` in NIfTI array order (`[nk, nj, ni]`), `affine` acting on (i, j, k, 1); null when nothing is labelled. */
export function foregroundFocus(labels: NdArray<Uint8Array>, affine: readonly (readonly number[])[]): ForegroundFocus | null {
  const [nk, nj, ni] = labels.shape as [number, number, number];
  const axis = axialVoxelAxis(affine);
  const extent = [ni, nj, nk][axis]!;
  const counts = new Float64Array(extent);
  const sums = Array.from({ length: extent }, () => [0, 0, 0]);
  let p = 0;
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      for (let i = 0; i < ni; i++, p++) {
        if (labels.data[p] === 0) continue;
        const s = [i, j, k][axis]!;
        counts[s]!++;
        const sum = sums[s]!;
        sum[0] += i;
        sum[1] += j;
        sum[2] += k;
      }
    }
  }
  let best = -1;
  for (let s = 0; s < extent; s++) if (counts[s]! > 0 && (best < 0 || counts[s]! > counts[best]!)) best = s;
  if (best < 0) return null;
  const voxel = sums[best]!.map((v) => Math.round(v / counts[best]!)) as [number, number, number];
  const mm = [0, 1, 2].map((r) => affine[r]![0]! * voxel[0] + affine[r]![1]! * voxel[1] + affine[r]![2]! * voxel[2] + affine[r]![3]!) as [number, number, number];
  return { voxel, mm, axialAxis: axis, axialSlice: best, sliceVoxels: counts[best]! };
}
