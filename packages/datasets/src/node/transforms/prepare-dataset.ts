import { readFile } from 'node:fs/promises';
import { DataError } from '../../data-error.js';
import { BTCV_TO_SYNAPSE, parseLabelMap, type LabelMap } from '../../layouts/label-map.js';
import { prepareVolume, type Modality } from '../../transforms/prepare.js';
import { deriveSeed, SeededRandom } from '../../sampling/seeded-random.js';
import { SYNAPSE_TEST_CASES, SYNAPSE_TRAIN_CASES, synapseCaseName } from '../../layouts/synapse-layout.js';
import { canonicalPath, checkReplaceable, isPathInside, replaceDir } from '@levit-unet/safe-fs';
import { listNiftiPairs, type NiftiCase } from '../layouts/nifti-folders.js';
import { readNifti } from '../io/nifti-file.js';
import { isSynapseDatasetDir, writeSynapseLists, writeSynapseTestCase, writeSynapseTrainCase } from '../layouts/synapse-writer.js';

/** Options of `prepareDataset`: the NIfTI folders in, the Synapse layout out, and how volumes are prepared. */
export interface PrepareDatasetOptions {
  /** Folder of NIfTI images (HU for CT). */
  images: string;
  /** Folder of NIfTI label maps with matching names (`img0001` ↔ `label0001`, `x_0000` ↔ `x`, or equal names). */
  labels: string;
  /**
   * Output dataset root: missing or empty, or (with `overwrite`) a dataset folder in the Synapse layout;
   * never a folder holding other files, nor one containing the inputs. Written atomically (all or nothing).
   */
  out: string;
  /** Output layout; only TransUNet's Synapse layout for now. */
  format?: 'synapse';
  /** 'btcv' (BTCV 13 organs → Synapse 8), a JSON file path, a table, or null/'none' to keep labels as they are. */
  labelMap?: 'btcv' | 'none' | string | LabelMap | null;
  /** CT window in HU (default [-125, 275]). */
  window?: readonly [number, number];
  modality?: Modality;
  /** Number of classes kept labels must fit when there is no label map (default 9). */
  numClasses?: number;
  /** Case names (output `caseNNNN` names) for the test split; default: TransUNet's split when every case is one of its 30, else `testFraction`. */
  testCases?: readonly string[];
  /** Fraction of cases for testing when there is no given or official split (default 0.4 = 12/30), chosen by a seeded shuffle. */
  testFraction?: number;
  seed?: number;
  /** Deflate the training slices (default false: stored like `np.savez`, fastest to load). */
  compress?: boolean;
  /** Replace an existing Synapse dataset folder at `out` (`--force`). */
  overwrite?: boolean;
  /** Called after each case is written. */
  onCase?: (preparedCase: PreparedCase) => void;
}

/** One prepared case: its source files and what it became. */
export interface PreparedCase {
  name: string;
  image: string;
  label: string;
  split: 'train' | 'test';
  /** (D, H, W) of the prepared stack. */
  shape: number[];
}

/** What `prepareDataset` wrote. */
export interface PrepareReport {
  out: string;
  cases: PreparedCase[];
  trainSlices: number;
  testVolumes: number;
  /** How the split was chosen. */
  split: 'given' | 'synapse-official' | 'fraction';
}

async function resolveLabelMap(option: PrepareDatasetOptions['labelMap']): Promise<LabelMap | null> {
  if (option === undefined || option === null || option === 'none') return null;
  if (option === 'btcv') return BTCV_TO_SYNAPSE;
  if (typeof option === 'object') return option;
  const text = await readFile(option, 'utf8').catch((error: unknown) => {
    throw new DataError(option, 'label map file not found', { cause: error });
  });
  return parseLabelMap(text, option);
}

/** `caseNNNN` from the digits of each case key; sequential numbers when keys have no digits or collide. */
function caseNames(cases: readonly NiftiCase[]): string[] {
  const numbers = cases.map((c) => /(\d+)(?!.*\d)/.exec(c.key)?.[1]).map((d) => (d === undefined ? NaN : Number(d)));
  const unique = new Set(numbers).size === numbers.length && numbers.every((n) => Number.isInteger(n));
  return cases.map((_, n) => synapseCaseName(unique ? numbers[n]! : n + 1));
}

function chooseTestCases(names: readonly string[], options: PrepareDatasetOptions): { test: Set<string>; split: PrepareReport['split'] } {
  if (options.testCases) {
    const unknown = options.testCases.filter((name) => !names.includes(name));
    if (unknown.length > 0) throw new Error(`test cases not among the prepared cases: ${unknown.join(', ')}`);
    return { test: new Set(options.testCases), split: 'given' };
  }
  const official = new Set<string>([...SYNAPSE_TRAIN_CASES, ...SYNAPSE_TEST_CASES].map(synapseCaseName));
  if (names.length > 0 && names.every((name) => official.has(name))) {
    return { test: new Set(SYNAPSE_TEST_CASES.map(synapseCaseName).filter((n) => names.includes(n))), split: 'synapse-official' };
  }
  const fraction = options.testFraction ?? 0.4;
  const count = names.length < 2 ? 0 : Math.min(names.length - 1, Math.max(1, Math.round(names.length * fraction)));
  const shuffled = new SeededRandom(deriveSeed(options.seed ?? 0, 0x7e57)).shuffle([...names].sort());
  return { test: new Set(shuffled.slice(0, count)), split: 'fraction' };
}

/**
 * Replacing `out` deletes everything in it, so it must not contain (or be) an input: `--out` equal to
 * `--images`, or a parent of it, would delete the scans being prepared. Symbolic links are followed.
 */
async function refuseOutputContainingInputs(options: PrepareDatasetOptions): Promise<void> {
  const out = canonicalPath(options.out);
  const inputs: [string, string][] = [
    ['--images', options.images],
    ['--labels', options.labels],
    ...(typeof options.labelMap === 'string' && !['btcv', 'none'].includes(options.labelMap) ? [['--label-map', options.labelMap] as [string, string]] : []),
  ];
  for (const [option, path] of inputs) {
    if (isPathInside(out, canonicalPath(path))) {
      throw new Error(`--out ${options.out} contains the input ${option} ${path}: replacing it would delete the input; choose another output folder`);
    }
  }
}

/**
 * `levit-unet prepare --from nifti --format synapse`: turns raw NIfTI volumes and label maps into
 * TransUNet's layout — axial (D, H, W) stacks (slice axis from the affine), CT clipped to the window
 * and scaled to [0, 1] (MRI: per-volume percentiles), labels remapped, training cases as one
 * `train_npz/caseXXXX_sliceYYY.npz` per slice, test cases as `test_vol_h5/caseXXXX.npy.h5`, plus
 * `lists_Synapse/train.txt` and `test_vol.txt`. One case is in memory at a time; the output folder
 * appears only when everything was written.
 */
export async function prepareDataset(options: PrepareDatasetOptions): Promise<PrepareReport> {
  if ((options.format ?? 'synapse') !== 'synapse') throw new Error(`unsupported output format '${options.format}'`);
  const replaceOptions = { force: options.overwrite ?? false, isReplaceable: isSynapseDatasetDir, what: 'Synapse dataset folder' };
  await refuseOutputContainingInputs(options);
  await checkReplaceable(options.out, replaceOptions);
  const labelMap = await resolveLabelMap(options.labelMap);
  const collection = await listNiftiPairs(options.images, options.labels);
  const missing = [
    ...collection.unmatchedImages.map((f) => `${f}: no matching label map`),
    ...collection.unmatchedLabels.map((f) => `${f}: no matching image`),
  ];
  if (missing.length > 0) throw new Error(`unpaired files:\n  ${missing.join('\n  ')}`);
  if (collection.cases.length === 0) throw new Error(`no NIfTI images found in ${options.images}`);
  const names = caseNames(collection.cases);
  const { test, split } = chooseTestCases(names, options);
  const report: PrepareReport = { out: options.out, cases: [], trainSlices: 0, testVolumes: 0, split };

  await replaceDir(options.out, async (dir) => {
    const trainSlices: string[] = [];
    const testNames: string[] = [];
    for (const [n, pair] of collection.cases.entries()) {
      const name = names[n]!;
      const image = await readNifti(pair.image);
      const label = await readNifti(pair.label);
      const volume = prepareVolume(
        image,
        label,
        {
          modality: options.modality ?? 'ct',
          labelMap,
          ...(options.window ? { window: options.window } : {}),
          ...(options.numClasses ? { numClasses: options.numClasses } : {}),
        },
        `${pair.image} + ${pair.label}`,
      );
      const isTest = test.has(name);
      if (isTest) {
        await writeSynapseTestCase(dir, name, volume);
        testNames.push(name);
      } else {
        trainSlices.push(...(await writeSynapseTrainCase(dir, name, volume, { compress: options.compress ?? false })));
      }
      const prepared: PreparedCase = { name, image: pair.image, label: pair.label, split: isTest ? 'test' : 'train', shape: volume.image.shape };
      report.cases.push(prepared);
      options.onCase?.(prepared);
    }
    await writeSynapseLists(dir, trainSlices, testNames);
    report.trainSlices = trainSlices.length;
    report.testVolumes = testNames.length;
  }, replaceOptions);
  return report;
}
