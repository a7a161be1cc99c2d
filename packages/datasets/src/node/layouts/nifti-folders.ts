import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { resolveInside } from '@levit-unet/safe-fs';
import { DataError } from '../../data-error.js';
import { niftiCaseKey, parseMsdDatasetJson, type MsdDescription } from '../../layouts/msd-layout.js';

/** One image/label pair of NIfTI files (absolute paths) and its case key. */
export interface NiftiCase {
  key: string;
  image: string;
  label: string;
}

/** A folder pair of NIfTI images and labels, matched by name. */
export interface NiftiCollection {
  cases: NiftiCase[];
  /** Images without a label and labels without an image (absolute paths). */
  unmatchedImages: string[];
  unmatchedLabels: string[];
  /** From dataset.json when there is one. */
  description?: MsdDescription;
}

/** Volume files: `.nii`, `.nii.gz`, and the header of a NIfTI-1 pair (`.hdr`, `.hdr.gz`; its `.img` is read with it). */
const VOLUME = /\.(nii|hdr)(\.gz)?$/i;

/** The case key of a volume file name (`.hdr` names keyed like their `.nii` equivalent). */
function caseKey(path: string): string | null {
  return niftiCaseKey(basename(path).replace(/\.hdr(\.gz)?$/i, '.nii$1'));
}

async function niftiFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new DataError(dir, 'folder not found or unreadable', { cause: error });
  }
  return names
    .filter((n) => VOLUME.test(n) && !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n));
}

/** Files of one folder by case key; keys that more than one file gives (`x.nii` + `x.nii.gz`) are collected apart. */
function byKey(files: readonly string[]): { unique: Map<string, string>; duplicates: string[][] } {
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const key = caseKey(file);
    if (key !== null) groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  const unique = new Map<string, string>();
  const duplicates: string[][] = [];
  for (const [key, group] of groups) {
    if (group.length === 1) unique.set(key, group[0]!);
    else duplicates.push(group);
  }
  return { unique, duplicates };
}

/**
 * Pairs the NIfTI files of two folders by case key (`img0001` ↔ `label0001`, `x_0000` ↔ `x`, equal
 * names; see `niftiCaseKey`); `.hdr`/`.img` pairs count as one volume named by the `.hdr`. Files without
 * a partner are returned in `unmatchedImages`/`unmatchedLabels` for the caller to report. Two files of
 * one folder with the same case key (`x.nii` and `x.nii.gz`, `img0001` and `image0001`) make the
 * pairing ambiguous: that throws one DataError listing every such group (and the unmatched files, so
 * that one run shows every problem), instead of silently using one file twice.
 */
export async function listNiftiPairs(imagesDir: string, labelsDir: string): Promise<NiftiCollection> {
  const images = byKey(await niftiFiles(imagesDir));
  const labels = byKey(await niftiFiles(labelsDir));
  const cases: NiftiCase[] = [];
  const unmatchedImages: string[] = [];
  for (const [key, image] of [...images.unique].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const label = labels.unique.get(key);
    if (label === undefined) {
      // A key that is duplicated among the labels is reported as a duplicate, not as unmatched.
      if (!labels.duplicates.some((group) => caseKey(group[0]!) === key)) unmatchedImages.push(image);
    } else cases.push({ key, image, label });
  }
  const unmatchedLabels = [...labels.unique]
    .filter(([key]) => !images.unique.has(key) && !images.duplicates.some((group) => caseKey(group[0]!) === key))
    .map(([, label]) => label);
  const duplicates = [...images.duplicates, ...labels.duplicates];
  if (duplicates.length > 0) {
    const problems = [
      ...duplicates.map((group) => `${group.map((f) => basename(f)).join(' and ')} in ${dirname(group[0]!)} are the same case "${caseKey(group[0]!)}"`),
      ...unmatchedImages.map((f) => `${f} has no label map`),
      ...unmatchedLabels.map((f) => `${f} has no image`),
    ];
    throw new DataError(`${imagesDir} + ${labelsDir}`, `ambiguous pairing (keep one file per case): ${problems.join('; ')}`);
  }
  return { cases, unmatchedImages, unmatchedLabels };
}

/**
 * The cases of an MSD / nnU-Net dataset folder (`imagesTr/`, `labelsTr/`, `dataset.json`): the MSD
 * `training` list when dataset.json has one, else the two folders paired by case key. Paths from
 * dataset.json must stay inside the folder (no absolute paths, `..` or outward symlinks).
 */
export async function listMsdCases(dir: string): Promise<NiftiCollection> {
  let description: MsdDescription | undefined;
  const jsonPath = join(dir, 'dataset.json');
  try {
    description = parseMsdDatasetJson(await readFile(jsonPath, 'utf8'), jsonPath);
  } catch (error) {
    if (error instanceof DataError) throw error;
  }
  if (description && description.training.length > 0) {
    const cases: NiftiCase[] = [];
    for (const [n, { image, label }] of description.training.entries()) {
      cases.push({
        key: image.split('/').pop()!.replace(/\.nii(\.gz)?$/i, ''),
        image: await resolveInside(dir, image, `${jsonPath}: training[${n}].image`),
        label: await resolveInside(dir, label, `${jsonPath}: training[${n}].label`),
      });
    }
    return { cases, unmatchedImages: [], unmatchedLabels: [], description };
  }
  const pairs = await listNiftiPairs(join(dir, 'imagesTr'), join(dir, 'labelsTr'));
  return description ? { ...pairs, description } : pairs;
}
