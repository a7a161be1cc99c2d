import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BTCV_TO_SYNAPSE } from '../layouts/label-map.js';
import { generatePhantomVolume } from '../phantom.js';
import { prepareVolume } from '../transforms/prepare.js';
import { SYNAPSE_TEST_CASES, SYNAPSE_TRAIN_CASES, synapseCaseName } from '../layouts/synapse-layout.js';
import { replaceDir } from '@levit-unet/safe-fs';
import { writeNifti } from './io/nifti-file.js';
import { isSynapseDatasetDir, writeSynapseLists, writeSynapseTestCase, writeSynapseTrainCase } from './layouts/synapse-writer.js';

/** The phantoms synthetic datasets are made of: seed and shape. */
export interface SyntheticOptions {
  /** Base seed; case n uses seed + n (default 0). */
  seed?: number;
  /** Phantom (D, H, W); default [32, 512, 512]. */
  shape?: readonly [number, number, number];
}

/** Options of `writeSyntheticSynapse`. */
export interface SyntheticSynapseOptions extends SyntheticOptions {
  /** Training cases (default 2), named after TransUNet's training cases (case0031, case0007, ...). */
  trainCases?: number;
  /** Test cases (default 1), named after TransUNet's test cases (case0008, ...). */
  testCases?: number;
  /** Deflate the training slices (default false, like `np.savez`). */
  compress?: boolean;
}

/**
 * Writes a synthetic dataset in TransUNet's Synapse layout (phantoms from `generatePhantomVolume`, run
 * through the same preparation as real CT: window [-125, 275] → [0, 1]). The folder is replaced
 * atomically; a non-empty folder that is not a Synapse dataset is refused. Returns the list contents.
 */
export async function writeSyntheticSynapse(
  dir: string,
  options: SyntheticSynapseOptions = {},
): Promise<{ trainSlices: string[]; testCases: string[] }> {
  const trainCount = options.trainCases ?? 2;
  const testCount = options.testCases ?? 1;
  if (trainCount > SYNAPSE_TRAIN_CASES.length || testCount > SYNAPSE_TEST_CASES.length) {
    throw new Error(`at most ${SYNAPSE_TRAIN_CASES.length} training and ${SYNAPSE_TEST_CASES.length} test cases`);
  }
  const result = { trainSlices: [] as string[], testCases: [] as string[] };
  await replaceDir(dir, async (tmp) => {
    const cases = [
      ...SYNAPSE_TRAIN_CASES.slice(0, trainCount).map((id) => ({ id, test: false })),
      ...SYNAPSE_TEST_CASES.slice(0, testCount).map((id) => ({ id, test: true })),
    ];
    for (const [n, { id, test }] of cases.entries()) {
      const phantom = generatePhantomVolume({ seed: (options.seed ?? 0) + n, shape: options.shape ?? [32, 512, 512] });
      const volume = prepareVolume({ ...phantom.image, affine: phantom.affine }, phantom.label);
      const name = synapseCaseName(id);
      if (test) {
        await writeSynapseTestCase(tmp, name, volume);
        result.testCases.push(name);
      } else {
        result.trainSlices.push(...(await writeSynapseTrainCase(tmp, name, volume, { compress: options.compress ?? false })));
      }
    }
    await writeSynapseLists(tmp, result.trainSlices, result.testCases);
  }, { force: true, isReplaceable: isSynapseDatasetDir, what: 'Synapse dataset folder' });
  return result;
}

/** Options of `writeSyntheticNifti`. */
export interface SyntheticNiftiOptions extends SyntheticOptions {
  /** Number of cases (default 3); named `img0001.nii.gz` / `label0001.nii.gz` like BTCV's raw data. */
  cases?: number;
  /** Label numbering: 'btcv' (raw BTCV ids, for `prepare --label-map btcv`, default) or 'synapse'. */
  labels?: 'btcv' | 'synapse';
  /** First case number (default 1). */
  firstCase?: number;
}

const SYNAPSE_TO_BTCV = Object.fromEntries(Object.entries(BTCV_TO_SYNAPSE).map(([btcv, syn]) => [syn, Number(btcv)]));

/**
 * Writes raw synthetic CT as NIfTI, `images/imgNNNN.nii.gz` (int16 HU) and `labels/labelNNNN.nii.gz`
 * (uint8), with an LPS-style affine (column 0 = patient right, rows anterior→posterior, slices
 * inferior→superior): input for `prepareDataset` and `validateDataset` tests and demos.
 */
export async function writeSyntheticNifti(dir: string, options: SyntheticNiftiOptions = {}): Promise<string[]> {
  const count = options.cases ?? 3;
  const first = options.firstCase ?? 1;
  const names: string[] = [];
  await mkdir(join(dir, 'images'), { recursive: true });
  await mkdir(join(dir, 'labels'), { recursive: true });
  for (let n = 0; n < count; n++) {
    const phantom = generatePhantomVolume({ seed: (options.seed ?? 0) + n, shape: options.shape ?? [32, 512, 512] });
    const labels =
      options.labels === 'synapse' ? phantom.label.data : phantom.label.data.map((v) => (v === 0 ? 0 : SYNAPSE_TO_BTCV[v]!));
    const id = String(first + n).padStart(4, '0');
    const geometry = { spacing: phantom.spacing, affine: phantom.affine };
    await writeNifti(join(dir, 'images', `img${id}.nii.gz`), { ...phantom.image, ...geometry });
    await writeNifti(join(dir, 'labels', `label${id}.nii.gz`), { data: labels, shape: phantom.label.shape, ...geometry });
    names.push(id);
  }
  return names;
}
