import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../data-error.js';
import { pairByCaseKey, parseMsdDatasetJson, type MsdDescription } from '../msd-layout.js';

/** One image/label pair of NIfTI files (absolute paths) and its case key. */
export interface NiftiCase {
  key: string;
  image: string;
  label: string;
}

export interface NiftiCollection {
  cases: NiftiCase[];
  /** Images without a label and labels without an image (absolute paths). */
  unmatchedImages: string[];
  unmatchedLabels: string[];
  /** From dataset.json when there is one. */
  description?: MsdDescription;
}

async function niftiFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new DataError(dir, 'folder not found or unreadable', { cause: error });
  }
  return names.filter((n) => /\.nii(\.gz)?$/i.test(n) && !n.startsWith('.')).map((n) => join(dir, n));
}

/** Pairs the NIfTI files of two folders by case key (see `pairByCaseKey`). */
export async function listNiftiPairs(imagesDir: string, labelsDir: string): Promise<NiftiCollection> {
  const { pairs, unmatchedImages, unmatchedLabels } = pairByCaseKey(await niftiFiles(imagesDir), await niftiFiles(labelsDir));
  return { cases: pairs, unmatchedImages, unmatchedLabels };
}

/**
 * The cases of an MSD / nnU-Net dataset folder (`imagesTr/`, `labelsTr/`, `dataset.json`): the MSD
 * `training` list when dataset.json has one, else the two folders paired by case key.
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
    const cases = description.training.map(({ image, label }) => ({
      key: image.split('/').pop()!.replace(/\.nii(\.gz)?$/i, ''),
      image: join(dir, image),
      label: join(dir, label),
    }));
    return { cases, unmatchedImages: [], unmatchedLabels: [], description };
  }
  const pairs = await listNiftiPairs(join(dir, 'imagesTr'), join(dir, 'labelsTr'));
  return description ? { ...pairs, description } : pairs;
}
