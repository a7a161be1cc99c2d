import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../data-error.js';
import { parseH5 } from '../../io/h5.js';
import { parseNpz } from '../../io/npz.js';
import {
  SYNAPSE_NUM_CLASSES,
  SYNAPSE_PATHS,
  synapseSlicePath,
  synapseSliceSample,
  synapseVolumePath,
  synapseVolumeSample,
} from '../../layouts/synapse-layout.js';
import type { SliceSample } from '../../transforms/transunet-augment.js';
import type { NdArray } from '../../volume.js';
import { resolveInsideSync } from '@levit-unet/safe-fs';
import { readBytes } from '../io/read-bytes.js';

/** Reads and checks one training slice (`train_npz/caseXXXX_sliceYYY.npz`, arrays `image` and `label`). */
export async function readSynapseSlice(path: string, numClasses: number = SYNAPSE_NUM_CLASSES): Promise<SliceSample> {
  const arrays = parseNpz(await readBytes(path), { source: path, arrays: ['image', 'label'] });
  return synapseSliceSample(arrays, path, numClasses);
}

/** Reads and checks one test volume (`test_vol_h5/caseXXXX.npy.h5`, datasets `image` and `label`, D x H x W). */
export async function readSynapseVolume(
  path: string,
  numClasses: number = SYNAPSE_NUM_CLASSES,
): Promise<{ image: NdArray<Float32Array>; label: NdArray<Int32Array> }> {
  const arrays = await parseH5(await readBytes(path), { source: path, datasets: ['image', 'label'] });
  return synapseVolumeSample(arrays, path, numClasses);
}

/**
 * The names in `lists_Synapse/train.txt` (slices) or `test_vol.txt` (cases) under a dataset root. Each
 * entry must name a file inside the dataset's `train_npz/` or `test_vol_h5/`: an entry with `..`, an
 * absolute path or a symlink leading out of the root is refused with its line number, so a list file
 * can never make the loader read `../../etc/passwd`.
 */
export async function readSynapseList(root: string, split: 'train' | 'test'): Promise<string[]> {
  const path = join(root, split === 'train' ? SYNAPSE_PATHS.trainList : SYNAPSE_PATHS.testList);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DataError(path, 'list file not found (is this a Synapse dataset root?)', { cause: error });
  }
  const folder = join(root, split === 'train' ? SYNAPSE_PATHS.trainDir : SYNAPSE_PATHS.testDir);
  const extension = split === 'train' ? '.npz' : '.npy.h5';
  const names: string[] = [];
  for (const [n, line] of text.split(/\r?\n/).entries()) {
    const name = line.trim();
    if (name.length === 0) continue;
    resolveInsideSync(folder, `${name}${extension}`, `${path} line ${n + 1}: entry`);
    names.push(name);
  }
  return names;
}

/** Absolute paths of the training slices listed in `train.txt`. */
export async function synapseTrainFiles(root: string): Promise<string[]> {
  return (await readSynapseList(root, 'train')).map((name) => join(root, synapseSlicePath(name)));
}

/** Absolute paths of the test volumes listed in `test_vol.txt`. */
export async function synapseTestFiles(root: string): Promise<string[]> {
  return (await readSynapseList(root, 'test')).map((name) => join(root, synapseVolumePath(name)));
}
