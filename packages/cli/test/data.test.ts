import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpz } from '@levit-unet/datasets';
import { readSynapseList, readSynapseSlice, writeSyntheticNifti } from '@levit-unet/datasets/node';
import { runCliCaptured as cli } from './run-cli.js';

let dir: string;
let raw: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'levit-unet-cli-data-'));
  raw = join(dir, 'raw');
  // BTCV-style raw data: img0005..img0008 (HU) and label0005..label0008 (BTCV ids), 4 x 40 x 32 voxels.
  await writeSyntheticNifti(raw, { cases: 4, firstCase: 5, shape: [4, 40, 32], seed: 3 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});


const prepareArgs = (out: string, ...extra: string[]) => [
  'prepare',
  '--images',
  join(raw, 'images'),
  '--labels',
  join(raw, 'labels'),
  '--out',
  out,
  ...extra,
];

describe('levit-unet prepare', () => {
  it('writes the Synapse layout with the official split, BTCV labels remapped and the window applied', async () => {
    const out = join(dir, 'synapse');
    const { code, stdout } = await cli(...prepareArgs(out, '--label-map', 'btcv', '--window', '-125,275'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^case0005 {2}train {2}4x40x32 {2}.*img0005\.nii\.gz$/m);
    expect(stdout).toMatch(/^case0008 {2}test {3}4x40x32/m);
    expect(stdout).toMatch(/12 training slices from 3 cases, 1 test volumes \(split: synapse-official\)/);
    expect(await readFile(join(out, 'lists_Synapse/test_vol.txt'), 'utf8')).toBe('case0008\n');
    expect(await readSynapseList(out, 'train')).toHaveLength(12);
    const slice = await readSynapseSlice(join(out, 'train_npz/case0006_slice001.npz'));
    expect(Math.max(...slice.label.data)).toBeLessThanOrEqual(8);
    expect(Math.min(...slice.image.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...slice.image.data)).toBeLessThanOrEqual(1);
  });

  it('applies --window (a narrower window saturates more voxels) and --test-cases', async () => {
    const out = join(dir, 'narrow');
    const { code } = await cli(...prepareArgs(out, '--label-map', 'btcv', '--window=0,100', '--test-cases', 'case0005,case0006'));
    expect(code).toBe(0);
    expect(await readFile(join(out, 'lists_Synapse/test_vol.txt'), 'utf8')).toBe('case0005\ncase0006\n');
    const narrow = await readSynapseSlice(join(out, 'train_npz/case0007_slice002.npz'));
    const wide = await readSynapseSlice(join(dir, 'synapse/train_npz/case0007_slice002.npz'));
    const saturated = (data: Float32Array) => data.filter((v) => v === 0 || v === 1).length;
    expect(saturated(narrow.image.data)).toBeGreaterThan(saturated(wide.image.data));
    // the same voxel v in HU: wide = (v + 125) / 400, narrow = v / 100 inside both windows
    const p = wide.image.data.findIndex((v) => v > 0.35 && v < 0.5);
    expect(narrow.image.data[p]).toBeCloseTo((wide.image.data[p]! * 400 - 125) / 100, 4);
  });

  it('fails with one clear line for bad options and bad data', async () => {
    const bad = await cli(...prepareArgs(join(dir, 'x'), '--window', '300,200'));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--window must be two HU values low,high/);
    const noMap = await cli(...prepareArgs(join(dir, 'y')));
    expect(noMap.code).toBe(1);
    expect(noMap.stderr).toMatch(/^levit-unet: .*label0005\.nii\.gz: label value 11 at flat index \d+ is outside the class range 0\.\.8\n$/);
    const exists = await cli(...prepareArgs(join(dir, 'synapse'), '--label-map', 'btcv'));
    expect(exists.stderr).toMatch(/already holds a Synapse dataset folder: pass --force/);
  });
});

describe('levit-unet validate-data', () => {
  it('passes a clean dataset and lists every problem of a damaged one with file names', async () => {
    const ok = await cli('validate-data', join(dir, 'synapse'));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/synapse dataset .*: 13 checked, 0 problem\(s\)/);

    const root = join(dir, 'narrow');
    const image = { data: new Float32Array(40 * 32), shape: [40, 32] };
    await writeFile(join(root, 'train_npz/case0007_slice000.npz'), encodeNpz({ image, label: { data: new Uint8Array(40 * 32).fill(9), shape: [40, 32] } }));
    await writeFile(join(root, 'train_npz/case0007_slice001.npz'), new Uint8Array([1, 2, 3]));
    await rm(join(root, 'test_vol_h5/case0005.npy.h5'));
    const { code, stdout, stderr } = await cli('validate-data', root);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/case0007_slice000\.npz: label value 9 at flat index 0 is outside the class range 0\.\.8$/),
      expect.stringMatching(/case0007_slice001\.npz: unreadable \.npz archive/),
      expect.stringMatching(/case0005\.npy\.h5: file not found$/),
      expect.stringMatching(/: 10 checked, 3 problem\(s\)$/),
    ]);
    expect(stderr).toMatch(/3 problem\(s\) found/);

    const json = await cli('validate-data', root, '--json', '--classes', '10');
    const report = JSON.parse(json.stdout) as { problems: Array<{ file: string; problem: string }> };
    expect(report.problems).toHaveLength(2);
  });

  it('checks raw NIfTI folders against --classes', async () => {
    const raw9 = await cli('validate-data', raw, '--classes', '9');
    expect(raw9.code).toBe(1);
    expect(raw9.stdout).toMatch(/labels\/label0005\.nii\.gz: label value 11 /);
    const raw14 = await cli('validate-data', raw, '--classes', '14');
    expect(raw14.code).toBe(0);
    expect(raw14.stdout).toMatch(/nifti-folders dataset .*: 4 checked, 0 problem\(s\)/);
  });
});
