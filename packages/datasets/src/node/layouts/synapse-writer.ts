import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeH5 } from '../../io/h5.js';
import { encodeNpz } from '../../io/npz.js';
import type { PreparedVolume } from '../../transforms/prepare.js';
import {
  formatListFile,
  SYNAPSE_PATHS,
  synapseSliceName,
  synapseSlicePath,
  synapseVolumePath,
} from '../../layouts/synapse-layout.js';

// These write into a directory that is published atomically afterwards (`atomicWriteDir`), so single
// files need no temporary-and-rename of their own.

/**
 * Writes a training case as `train_npz/<case>_sliceNNN.npz` (float32 `image`, uint8 `label`), one per
 * axial slice. Stored uncompressed by default, like `np.savez` (TransUNet's files): inflating costs more
 * than the augmentation itself when loading; `compress` trades that for ~5x less disk.
 */
export async function writeSynapseTrainCase(
  root: string,
  caseName: string,
  volume: PreparedVolume,
  options: { compress?: boolean } = {},
): Promise<string[]> {
  const [depth, h, w] = volume.image.shape as [number, number, number];
  await mkdir(join(root, SYNAPSE_PATHS.trainDir), { recursive: true });
  const names: string[] = [];
  for (let z = 0; z < depth; z++) {
    const name = synapseSliceName(caseName, z);
    const plane = { from: z * h * w, to: (z + 1) * h * w };
    const npz = encodeNpz(
      {
        image: { data: volume.image.data.subarray(plane.from, plane.to), shape: [h, w] },
        label: { data: volume.label.data.subarray(plane.from, plane.to), shape: [h, w] },
      },
      { compress: options.compress ?? false },
    );
    await writeFile(join(root, synapseSlicePath(name)), npz);
    names.push(name);
  }
  return names;
}

/** Writes a test case as `test_vol_h5/<case>.npy.h5` with datasets `image` (float32) and `label` (uint8), D x H x W. */
export async function writeSynapseTestCase(root: string, caseName: string, volume: PreparedVolume): Promise<void> {
  await mkdir(join(root, SYNAPSE_PATHS.testDir), { recursive: true });
  const h5 = await encodeH5({ image: volume.image, label: volume.label }, { gzip: 4 });
  await writeFile(join(root, synapseVolumePath(caseName)), h5);
}

/** Writes `lists_Synapse/train.txt` (slice names) and `test_vol.txt` (case names). */
export async function writeSynapseLists(root: string, trainSlices: readonly string[], testCases: readonly string[]): Promise<void> {
  await mkdir(join(root, SYNAPSE_PATHS.listDir), { recursive: true });
  await writeFile(join(root, SYNAPSE_PATHS.trainList), formatListFile(trainSlices));
  await writeFile(join(root, SYNAPSE_PATHS.testList), formatListFile(testCases));
}

/** Whether `dir` holds a dataset in the Synapse layout (a `lists_Synapse/` folder): the only non-empty folder the writers may replace. */
export function isSynapseDatasetDir(dir: string): boolean {
  return existsSync(join(dir, SYNAPSE_PATHS.trainList)) || existsSync(join(dir, SYNAPSE_PATHS.testList));
}
