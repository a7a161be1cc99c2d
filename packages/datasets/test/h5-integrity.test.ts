/**
 * HDF5 reads that fail or come from outside the file are errors, never silently wrong arrays. The hostile
 * files are written by h5py (test/fixtures/make_h5_hostile.py), which itself refuses the corrupt chunk.
 */
import { describe, expect, it, vi } from 'vitest';
import { DataError } from '../src/data-error.js';
import { encodeH5, parseH5 } from '../src/io/h5.js';
import { fixtureBytes, fixtureJson } from './fixtures.js';

const hostile = fixtureJson<{ corrupt_chunk: { h5py_error: string } }>('h5/hostile.json');

describe('parseH5 detects failed reads', () => {
  it('refuses a dataset with a corrupt compressed chunk, as h5py does, without printing HDF5-DIAG', async () => {
    expect(hostile.corrupt_chunk.h5py_error).toMatch(/filter returned failure during read/);
    const stderr = vi.spyOn(process.stderr, 'write');
    await expect(parseH5(fixtureBytes('h5/corrupt_chunk.h5'), { source: 'c.h5' })).rejects.toThrow(
      "c.h5: HDF5 failed to read dataset 'image' (filter returned failure during read): the file is corrupt",
    );
    expect(stderr.mock.calls.filter(([text]) => String(text).includes('HDF5-DIAG'))).toEqual([]);
    stderr.mockRestore();
    // The intact dataset of the same file still reads.
    const { label } = await parseH5(fixtureBytes('h5/corrupt_chunk.h5'), { datasets: ['label'] });
    expect(Array.from(label!.data.subarray(0, 7))).toEqual([0, 1, 2, 3, 4, 0, 1]);
  });

  it('refuses bytes flipped inside any compressed chunk of a file it wrote itself', async () => {
    const image = new Float32Array(4 * 64 * 64).map((_, i) => Math.sin(i));
    const bytes = await encodeH5({ image: { data: image, shape: [4, 64, 64] } }, { gzip: 6 });
    for (const back of [5000, 20000, 40000]) {
      const bad = bytes.slice();
      for (let k = 0; k < 16; k++) bad[bytes.length - back + k]! ^= 0xff;
      await expect(parseH5(bad, { source: 'b.h5' }), `flipped ${back} bytes from the end`).rejects.toThrow(
        /^b\.h5: HDF5 failed to read dataset 'image' \(.*\): the file is corrupt$/,
      );
    }
  });

  it('refuses external storage, naming the external file (it used to return uninitialised memory)', async () => {
    await expect(parseH5(fixtureBytes('h5/external_storage.h5'), { source: 'e.h5' })).rejects.toThrow(
      "e.h5: dataset 'label' stores its data in external file(s) /label.raw; external storage is refused (the data would come from outside this file)",
    );
    const { image } = await parseH5(fixtureBytes('h5/external_storage.h5'), { datasets: ['image'] });
    expect(image!.shape).toEqual([8, 32, 32]);
  });

  it('refuses external links and dangling soft links by name instead of calling them missing', async () => {
    const links = fixtureBytes('h5/links.h5');
    await expect(parseH5(links, { source: 'l.h5', datasets: ['image', 'label'] })).rejects.toThrow(
      "l.h5: 'label' is an external link to other.h5:/label; links to other files are refused (copy the dataset into this file)",
    );
    await expect(parseH5(links, { source: 'l.h5', datasets: ['dangling'] })).rejects.toThrow(
      "l.h5: 'dangling' is a soft link to '/missing', which does not exist",
    );
    await expect(parseH5(links, { source: 'l.h5' })).rejects.toThrow(DataError);
  });
});

describe('parseH5 does not leak on failed reads', () => {
  it('keeps the wasm heap flat over many corrupt files (an exception through HDF5 leaked ~20 KB each, until it trapped)', async () => {
    const module = await (await import('h5wasm')).default.ready;
    const bytes = fixtureBytes('h5/corrupt_chunk.h5');
    await expect(parseH5(bytes)).rejects.toThrow(DataError);
    const before = module.HEAPU8.length;
    for (let i = 0; i < 300; i++) await expect(parseH5(bytes)).rejects.toThrow(/filter returned failure during read/);
    expect(module.HEAPU8.length).toBe(before);
  });
});

describe('parseH5 bounds what it allocates', () => {
  it('refuses never-written datasets that claim far more than the file holds, before allocating', async () => {
    const bytes = fixtureBytes('h5/huge_shape.h5');
    expect(bytes.length).toBeLessThan(4096);
    await expect(parseH5(bytes, { source: 'h.h5', datasets: ['huge'] })).rejects.toThrow(
      `h.h5: dataset 'huge' ("<f" [100000, 100000], 40000000000 bytes) claims more data than the ${bytes.length}-byte file can hold`,
    );
    await expect(parseH5(bytes, { source: 'h.h5', datasets: ['large'] })).rejects.toThrow(/^h\.h5: dataset 'large' .* 67108864 bytes\) claims more/);
  });

  it('refuses datasets beyond maxBytes, naming the option', async () => {
    const bytes = await encodeH5({ image: { data: new Float32Array(1000), shape: [10, 100] } });
    expect((await parseH5(bytes, { maxBytes: 4000 })).image!.shape).toEqual([10, 100]);
    await expect(parseH5(bytes, { source: 'm.h5', maxBytes: 3999 })).rejects.toThrow(
      /^m\.h5: dataset 'image' \("<f" \[10, 100\], 4000 bytes\) needs 4000 bytes, more than the maxBytes limit of 3999 bytes/,
    );
  });
});
