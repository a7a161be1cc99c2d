import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePhantomVolume, transpose, type NdArray } from '@levit-unet/datasets';
import { writeNifti } from '@levit-unet/datasets/node';

/** A fresh temporary folder and its removal. */
export async function scratchDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'levit-inference-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface PhantomScan {
  image: NdArray<Int16Array>;
  label: NdArray<Uint8Array>;
  affine: number[][];
  spacing: [number, number, number];
}

/** A small phantom CT (HU) with its Synapse labels, axially stored (k = slices). */
export function phantomScan(seed: number, shape: [number, number, number] = [6, 40, 40]): PhantomScan {
  const p = generatePhantomVolume({ seed, shape });
  return { image: p.image, label: p.label, affine: p.affine, spacing: p.spacing };
}

/**
 * The same scan stored sagittally: voxel axes (i', j', k') = (k, i, j) of the axial storage, so the C-order
 * array is the axial one transposed by [1, 2, 0] and the affine's columns are (k, i, j)'s. Any reader that
 * honours the affine sees the same anatomy.
 */
export function sagittalCopy(scan: PhantomScan): PhantomScan {
  const columns = [2, 0, 1];
  const affine = scan.affine.map((row) => [row[columns[0]!]!, row[columns[1]!]!, row[columns[2]!]!, row[3]!]);
  const [dk, dj, di] = scan.spacing;
  return {
    image: transpose(scan.image, [1, 2, 0]),
    label: transpose(scan.label, [1, 2, 0]),
    affine,
    spacing: [dj, di, dk],
  };
}

/** Writes `images/<name>.nii.gz` and `labels/<labelName>.nii.gz` under `dir`. */
export async function writeScanPair(dir: string, name: string, scan: PhantomScan, labelName = name): Promise<{ image: string; label: string }> {
  await mkdir(join(dir, 'images'), { recursive: true });
  await mkdir(join(dir, 'labels'), { recursive: true });
  const geometry = { spacing: scan.spacing, affine: scan.affine };
  const image = join(dir, 'images', `${name}.nii.gz`);
  const label = join(dir, 'labels', `${labelName}.nii.gz`);
  await writeNifti(image, { ...scan.image, ...geometry });
  await writeNifti(label, { ...scan.label, ...geometry });
  return { image, label };
}

