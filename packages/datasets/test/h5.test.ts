import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../src/data-error.js';
import { encodeH5, parseH5 } from '../src/io/h5.js';
import { fixtureBytes, fixtureJson } from './fixtures.js';

const expected = fixtureJson<{ shape: number[]; image: number[]; label: number[] }>('h5/expected.json');

function hasH5dump(): boolean {
  try {
    execFileSync('h5dump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('parseH5 on files written by h5py', () => {
  it('reads a TransUNet-style test volume (float32 image and label, D x H x W)', async () => {
    const arrays = await parseH5(fixtureBytes('h5/case0099.npy.h5'));
    expect(Object.keys(arrays).sort()).toEqual(['image', 'label']);
    expect(arrays.image!.shape).toEqual(expected.shape);
    expect(arrays.image!.data).toBeInstanceOf(Float32Array);
    expect(Array.from(arrays.image!.data)).toEqual(expected.image);
    expect(Array.from(arrays.label!.data)).toEqual(expected.label);
  });

  it('reads gzip+shuffle chunked big-endian float64 and int64 (narrowed to Int32Array)', async () => {
    const arrays = await parseH5(fixtureBytes('h5/gzip_int64.h5'), { datasets: ['image', 'label'] });
    expect(arrays.image!.data).toBeInstanceOf(Float64Array);
    expect(Array.from(arrays.image!.data)).toEqual(expected.image);
    expect(arrays.label!.data).toBeInstanceOf(Int32Array);
    expect(Array.from(arrays.label!.data)).toEqual(expected.label);
  });
});

describe('parseH5 on bad input', () => {
  it('names the file and the missing dataset', async () => {
    await expect(parseH5(fixtureBytes('h5/image_only.h5'), { source: 'c.h5', datasets: ['image', 'label'] })).rejects.toThrow(
      "c.h5: missing dataset 'label' (file has: image, name)",
    );
  });

  it('refuses non-numeric datasets', async () => {
    await expect(parseH5(fixtureBytes('h5/image_only.h5'), { source: 'c.h5', datasets: ['name'] })).rejects.toThrow(
      /c\.h5: dataset 'name' is not numeric/,
    );
  });

  it('reports truncated and garbage files as DataError', async () => {
    const bytes = fixtureBytes('h5/case0099.npy.h5');
    await expect(parseH5(bytes.subarray(0, 1000), { source: 'cut.h5' })).rejects.toThrow(DataError);
    await expect(parseH5(new Uint8Array(64), { source: 'zero.h5' })).rejects.toThrow(/^zero\.h5: unreadable HDF5 file/);
  });
});

describe('encodeH5', () => {
  it('round-trips every dtype, compressed or not', async () => {
    const arrays = {
      image: { data: Float32Array.from({ length: 24 }, (_, i) => i / 7), shape: [2, 3, 4] },
      label: { data: Uint8Array.from({ length: 24 }, (_, i) => i % 9), shape: [2, 3, 4] },
      f64: { data: new Float64Array([1.5, -2]), shape: [2] },
      i16: { data: new Int16Array([-3, 4]), shape: [2] },
      u32: { data: new Uint32Array([4e9, 1]), shape: [2] },
    };
    for (const gzip of [0, 6]) {
      const back = await parseH5(await encodeH5(arrays, { gzip }));
      for (const [key, array] of Object.entries(arrays)) expect(back[key]).toEqual(array);
    }
  });

  it.skipIf(!hasH5dump())('writes files the HDF5 reference tools read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'h5-'));
    try {
      const path = join(dir, 'x.h5');
      writeFileSync(path, await encodeH5({ label: { data: new Uint8Array([7, 8, 9]), shape: [3] } }, { gzip: 4 }));
      const dump = execFileSync('h5dump', ['-d', 'label', path], { encoding: 'utf8' });
      expect(dump).toMatch(/H5T_STD_U8LE/);
      expect(dump).toMatch(/\(0\): 7, 8, 9/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
