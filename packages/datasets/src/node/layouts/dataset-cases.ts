import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  ACDC_CLASSES,
  ACDC_DISPLAY_NAMES,
  ACDC_SPLIT,
  SYNAPSE_CLASSES,
  SYNAPSE_DISPLAY_NAMES,
  axialPermutation,
  checkedImage,
  checkedLabels,
  checkSameShape,
  normalizeMri,
  prepareVolume,
  synapseVolumePath,
  type LabelMap,
  type NiftiHeader,
} from '../../index.js';
import { listAcdcFrames } from './acdc-dataset.js';
import { listMsdCases, listNiftiPairs } from './nifti-folders.js';
import { readNifti } from '../io/nifti-file.js';
import { readSynapseList, readSynapseVolume } from './synapse-dataset.js';
import type { VolumeCase } from '../../volume.js';

/** The dataset layouts evaluation and prediction read: Synapse, ACDC, or folders of NIfTI images and labels. */
export type DatasetKind = 'synapse' | 'acdc' | 'nifti';
/** Synapse: only 'test' (`test_vol.txt`); ACDC: the 70/10/20 patient split; NIfTI folders: see `niftiSplit`. */
export type SplitName = 'test' | 'valid' | 'train' | 'all';

/** A held-out case plus where it came from, so a prediction can be written back on the source's grid. */
export interface DatasetCase extends VolumeCase {
  /** The files read (image first). */
  readonly sources: readonly string[];
  /** NIfTI geometry of the source, with the (D, H, W) ← stored axis permutation; absent for Synapse .npy.h5. */
  readonly nifti?: { readonly header: NiftiHeader; readonly affine: number[][]; readonly permutation: readonly [number, number, number] };
}

/** Which dataset, layout and split `datasetCases` opens. */
export interface DatasetCasesOptions {
  dataRoot: string;
  dataset: DatasetKind;
  /** Default 'test' (Synapse, ACDC) or 'all' (NIfTI). */
  split?: SplitName;
  /** NIfTI folders: 'ct' (default) window or 'mr' percentile normalisation, as `prepareVolume`. */
  modality?: 'ct' | 'mr';
  /** NIfTI CT window in HU (default TransUNet's [-125, 275]). */
  window?: readonly [number, number];
  /** NIfTI folders: source label id → target id (e.g. `BTCV_TO_SYNAPSE`). */
  labelMap?: LabelMap;
  numClasses: number;
}

/** The cases of one split of a dataset, read lazily by name. */
export interface DatasetCaseSet {
  readonly names: readonly string[];
  /** Default class identifiers and headings for this layout. */
  readonly classNames?: readonly string[];
  readonly displayNames?: readonly string[];
  /** Read one at a time (a CT volume is hundreds of MB). */
  readonly cases: AsyncIterable<DatasetCase>;
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

function synapseSet(options: DatasetCasesOptions, names: readonly string[]): DatasetCaseSet {
  return {
    names,
    classNames: SYNAPSE_CLASSES,
    displayNames: SYNAPSE_DISPLAY_NAMES,
    cases: (async function* () {
      for (const name of names) {
        const path = join(options.dataRoot, synapseVolumePath(name));
        const { image, label } = await readSynapseVolume(path, options.numClasses);
        yield { name, image, label, sources: [path] };
      }
    })(),
  };
}

async function acdcSet(options: DatasetCasesOptions, split: SplitName): Promise<DatasetCaseSet> {
  if (split === 'all') throw new Error(`ACDC split must be train, valid or test, got "${split}"`);
  const patients = new Set<number>(ACDC_SPLIT[split]);
  const frames = (await listAcdcFrames(options.dataRoot)).filter((f) => patients.has(f.patient));
  if (frames.length === 0) throw new Error(`${options.dataRoot}: no ACDC frames of the ${split} patients found`);
  return {
    names: frames.map((f) => basename(f.image).replace(/\.nii(\.gz)?$/, '')),
    classNames: ACDC_CLASSES,
    displayNames: ACDC_DISPLAY_NAMES,
    cases: (async function* () {
      for (const frame of frames) {
        const [image, label] = await Promise.all([readNifti(frame.image), readNifti(frame.label)]);
        if (image.shape.length !== 3) throw new Error(`${frame.image}: expected a 3-D frame, got shape [${image.shape.join(', ')}]`);
        checkSameShape(image, label, frame.label);
        // Short-axis slices as stored (k), the slicing of the preprocessed ACDC the papers use: the axial
        // reordering of CT would cut a short-axis stack across its few thick slices.
        yield {
          name: basename(frame.image).replace(/\.nii(\.gz)?$/, ''),
          image: { data: normalizeMri(checkedImage(image, frame.image).data), shape: image.shape },
          label: checkedLabels(label, options.numClasses, frame.label),
          spacingMm: image.spacing,
          sources: [frame.image, frame.label],
          nifti: { header: image.header, affine: image.affine, permutation: [0, 1, 2] },
        };
      }
    })(),
  };
}

/**
 * A NIfTI folder's split, fixed by the sorted case order (no file says otherwise): 'test' (= 'valid') is the
 * last fifth of the cases (at least one when there are two or more), 'train' the rest, 'all' every case.
 */
export function niftiSplit<T>(cases: readonly T[], split: SplitName): T[] {
  const held = cases.length >= 2 ? Math.max(1, Math.round(cases.length / 5)) : 0;
  if (split === 'all') return [...cases];
  return split === 'train' ? cases.slice(0, cases.length - held) : cases.slice(cases.length - held);
}

async function niftiSet(options: DatasetCasesOptions, split: SplitName): Promise<DatasetCaseSet> {
  const root = options.dataRoot;
  const collection =
    (await isDir(join(root, 'images'))) && (await isDir(join(root, 'labels')))
      ? await listNiftiPairs(join(root, 'images'), join(root, 'labels'))
      : await listMsdCases(root);
  if (collection.cases.length === 0) throw new Error(`${root}: no image/label NIfTI pairs found (images/ + labels/, or an MSD folder)`);
  const pairs = niftiSplit(collection.cases, split);
  if (pairs.length === 0) throw new Error(`${root}: split "${split}" of ${collection.cases.length} case(s) is empty (a held-out split needs at least 2 cases)`);
  const labels = collection.description?.labels;
  const classNames = labels ? Array.from({ length: options.numClasses }, (_, c) => labels[c] ?? `class_${c}`) : options.numClasses === 9 ? SYNAPSE_CLASSES : undefined;
  return {
    names: pairs.map((c) => c.key),
    ...(classNames ? { classNames } : {}),
    ...(classNames === SYNAPSE_CLASSES ? { displayNames: SYNAPSE_DISPLAY_NAMES } : {}),
    cases: (async function* () {
      for (const pair of pairs) {
        const [image, label] = await Promise.all([readNifti(pair.image), readNifti(pair.label)]);
        const prepared = prepareVolume(
          image,
          label,
          {
            modality: options.modality === 'mr' ? 'mri' : 'ct',
            numClasses: options.numClasses,
            ...(options.window ? { window: options.window } : {}),
            ...(options.labelMap ? { labelMap: options.labelMap } : {}),
          },
          pair.image,
        );
        const permutation = axialPermutation(image.affine);
        yield {
          name: pair.key,
          image: prepared.image,
          label: prepared.label,
          spacingMm: permutation.map((axis) => image.spacing[axis]!),
          sources: [pair.image, pair.label],
          nifti: { header: image.header, affine: image.affine, permutation },
        };
      }
    })(),
  };
}

/**
 * The held-out cases of a dataset, read lazily: Synapse `lists_Synapse/test_vol.txt` → `test_vol_h5/<case>.npy.h5`
 * (already windowed to [0, 1]); ACDC as distributed, the ED and ES frames of the split's patients, normalised
 * per volume as MRI; a NIfTI folder (`images/` + `labels/`, or MSD), prepared as `prepareVolume` (axial stacks, CT
 * window or MRI normalisation).
 */
export async function readDatasetCases(options: DatasetCasesOptions): Promise<DatasetCaseSet> {
  const split = options.split ?? (options.dataset === 'nifti' ? 'all' : 'test');
  if (options.dataset === 'synapse') {
    if (split !== 'test') throw new Error(`Synapse has held-out volumes only for split "test" (test_vol.txt), got "${split}"`);
    return synapseSet(options, await readSynapseList(options.dataRoot, 'test'));
  }
  if (options.dataset === 'acdc') return acdcSet(options, split);
  if (options.dataset === 'nifti') return niftiSet(options, split);
  throw new Error(`dataset must be synapse, acdc or nifti, got "${String(options.dataset)}"`);
}
