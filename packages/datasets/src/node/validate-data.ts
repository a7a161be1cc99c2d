import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ACDC_NUM_CLASSES } from '../layouts/acdc-layout.js';
import { DataError } from '../data-error.js';
import { SYNAPSE_NUM_CLASSES, SYNAPSE_PATHS, synapseSlicePath, synapseVolumePath } from '../layouts/synapse-layout.js';
import { checkedImage, checkedLabels, checkSameShape } from '../validate.js';
import { listAcdcFrames } from './layouts/acdc-dataset.js';
import { listMsdCases, listNiftiPairs, type NiftiCase } from './layouts/nifti-folders.js';
import { readNifti } from './io/nifti-file.js';
import { readSynapseList, readSynapseSlice, readSynapseVolume } from './layouts/synapse-dataset.js';

/** The dataset folder layouts `validateData` recognises. */
export type DatasetLayout = 'synapse' | 'msd' | 'acdc' | 'nifti-folders';

/** One problem, with the file it is in. */
export interface DataProblem {
  file: string;
  problem: string;
}

/** What `validateData` found in a dataset folder: the layout, what was checked, the problems. */
export interface ValidationReport {
  dir: string;
  layout: DatasetLayout;
  /** Files (or image/label pairs) checked. */
  checked: number;
  problems: DataProblem[];
}

/** Options of `validateData`. */
export interface ValidateOptions {
  /** Class count labels must fit; default from the layout (Synapse 9, ACDC 4, MSD from dataset.json). */
  numClasses?: number;
  /** Force a layout instead of detecting it. */
  layout?: DatasetLayout;
  /** Called after each file or pair is checked. */
  onProgress?: (checked: number) => void;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Which layout a folder holds, from its marker files; null when none matches. */
export async function detectLayout(dir: string): Promise<DatasetLayout | null> {
  if ((await exists(join(dir, SYNAPSE_PATHS.listDir))) || (await exists(join(dir, SYNAPSE_PATHS.trainDir)))) return 'synapse';
  if ((await exists(join(dir, 'dataset.json'))) || (await exists(join(dir, 'imagesTr')))) return 'msd';
  if ((await exists(join(dir, 'images'))) && (await exists(join(dir, 'labels')))) return 'nifti-folders';
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (entries.some((e) => /^patient\d{3}$/.test(e) || e === 'training' || e === 'database')) return 'acdc';
  return null;
}

function problemOf(error: unknown, fallbackFile: string): DataProblem {
  if (error instanceof DataError) return { file: error.source ?? fallbackFile, problem: error.problem };
  return { file: fallbackFile, problem: error instanceof Error ? error.message : String(error) };
}

/**
 * Checks a dataset folder and lists every problem found, each with its file: missing files or pairs,
 * unreadable or truncated files, missing arrays, image/label shape mismatch, labels outside the class
 * range, NaN/Inf. Reads one file (or pair) at a time. Layouts: Synapse (TransUNet), MSD/nnU-Net,
 * ACDC as distributed, or `images/` + `labels/` folders of matching NIfTI names.
 */
export async function validateDataset(dir: string, options: ValidateOptions = {}): Promise<ValidationReport> {
  const layout = options.layout ?? (await detectLayout(dir));
  if (layout === null) {
    throw new DataError(dir, 'no known dataset layout (expected lists_Synapse/train_npz, dataset.json/imagesTr, images+labels, or patientNNN folders)');
  }
  const report: ValidationReport = { dir, layout, checked: 0, problems: [] };
  const tick = () => {
    report.checked += 1;
    options.onProgress?.(report.checked);
  };
  if (layout === 'synapse') await validateSynapse(dir, options.numClasses ?? SYNAPSE_NUM_CLASSES, report, tick);
  else if (layout === 'acdc') {
    const frames = await listAcdcFrames(dir);
    if (frames.length === 0) report.problems.push({ file: dir, problem: 'no patientNNN folders found' });
    const cases = frames.map((f) => ({ key: `patient${f.patient}_${f.phase}`, image: f.image, label: f.label }));
    await validatePairs(cases, options.numClasses ?? ACDC_NUM_CLASSES, report, tick);
  } else {
    const collection = layout === 'msd' ? await listMsdCases(dir) : await listNiftiPairs(join(dir, 'images'), join(dir, 'labels'));
    for (const f of collection.unmatchedImages) report.problems.push({ file: f, problem: 'image without a label map' });
    for (const f of collection.unmatchedLabels) report.problems.push({ file: f, problem: 'label map without an image' });
    if (collection.cases.length === 0) report.problems.push({ file: dir, problem: 'no image/label pairs found' });
    const numClasses = options.numClasses ?? collection.description?.numClasses ?? SYNAPSE_NUM_CLASSES;
    await validatePairs(collection.cases, numClasses, report, tick);
  }
  return report;
}

async function validateSynapse(dir: string, numClasses: number, report: ValidationReport, tick: () => void): Promise<void> {
  for (const split of ['train', 'test'] as const) {
    let names: string[];
    try {
      names = await readSynapseList(dir, split);
    } catch (error) {
      report.problems.push(problemOf(error, dir));
      continue;
    }
    const folder = join(dir, split === 'train' ? SYNAPSE_PATHS.trainDir : SYNAPSE_PATHS.testDir);
    const listed = new Set<string>();
    for (const name of names) {
      const path = join(dir, split === 'train' ? synapseSlicePath(name) : synapseVolumePath(name));
      listed.add(basename(path));
      try {
        if (split === 'train') await readSynapseSlice(path, numClasses);
        else await readSynapseVolume(path, numClasses);
      } catch (error) {
        report.problems.push(problemOf(error, path));
      }
      tick();
    }
    const present = await readdir(folder).catch(() => [] as string[]);
    for (const file of present) {
      if (!listed.has(file)) report.problems.push({ file: join(folder, file), problem: `not listed in ${split === 'train' ? SYNAPSE_PATHS.trainList : SYNAPSE_PATHS.testList}` });
    }
  }
}

async function validatePairs(cases: readonly NiftiCase[], numClasses: number, report: ValidationReport, tick: () => void): Promise<void> {
  for (const pair of cases) {
    let image;
    let label;
    try {
      image = await readNifti(pair.image);
      checkedImage(image, pair.image);
    } catch (error) {
      report.problems.push(problemOf(error, pair.image));
    }
    try {
      label = await readNifti(pair.label);
      checkedLabels(label, numClasses, pair.label);
    } catch (error) {
      report.problems.push(problemOf(error, pair.label));
    }
    if (image && label) {
      try {
        checkSameShape(image, label, pair.label);
      } catch (error) {
        report.problems.push(problemOf(error, pair.label));
      }
    }
    tick();
  }
}
