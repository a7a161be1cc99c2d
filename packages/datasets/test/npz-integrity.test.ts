/** npz members are CRC-checked and size-bounded (fixtures written by numpy: test/fixtures/make_npz_hostile.py). */
import { describe, expect, it } from 'vitest';
import { parseNpz } from '../src/io/npz.js';
import { fixtureBytes, fixtureJson } from './fixtures.js';

const hostile = fixtureJson<{ crc_flipped: { numpy_error: string }; bomb: { bytes: number } }>('npy/hostile.json');

describe('parseNpz integrity', () => {
  it('refuses a member whose CRC-32 does not match, as numpy does (it used to read 15 as 15.000001)', () => {
    expect(hostile.crc_flipped.numpy_error).toBe("Bad CRC-32 for file 'image.npy'");
    const bytes = fixtureBytes('npy/crc_flipped.npz');
    expect(() => parseNpz(bytes, { source: 'f.npz' })).toThrow(
      /^f\.npz: unreadable \.npz archive \(zip entry "image\.npy" fails its CRC-32 check \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\): the file is corrupt\)$/,
    );
    // The intact member still reads, exactly as numpy reads it.
    expect(Array.from(parseNpz(bytes, { arrays: ['label'] }).label!.data)).toEqual(new Array(16).fill(1));
  });

  it('refuses a member that inflates beyond maxBytes before inflating it, naming the option', () => {
    const bytes = fixtureBytes('npy/bomb.npz');
    expect(bytes.length).toBe(hostile.bomb.bytes);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => parseNpz(bytes, { source: 'b.npz', maxBytes: 16 << 20 })).toThrow(
      /^b\.npz: unreadable \.npz archive \(zip entry "image\.npy" needs 64\.0 MiB, more than the maxBytes limit of 16\.0 MiB .*raise the maxBytes option/,
    );
    // Process-wide (other test files run in parallel threads): only far below the 64 MiB the member claims.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 << 20);
    expect(parseNpz(bytes).image!.shape).toEqual([64 << 20]);
  });
});

describe('parseNpy quotes header text on one line', () => {
  it('escapes a newline inside a malformed shape (found by the fuzzer)', async () => {
    const { encodeNpy, parseNpy } = await import('../src/io/npy.js');
    const good = encodeNpy({ data: new Float32Array(6), shape: [2, 3] });
    const header = new TextDecoder('latin1').decode(good.subarray(10, 10 + new DataView(good.buffer).getUint16(8, true)));
    const broken = header.replace('(2, 3)', '(2,\n 3x)');
    const bytes = new Uint8Array(10 + broken.length + 24);
    bytes.set(good.subarray(0, 10));
    new DataView(bytes.buffer).setUint16(8, broken.length, true);
    for (let i = 0; i < broken.length; i++) bytes[10 + i] = broken.charCodeAt(i);
    expect(() => parseNpy(bytes, 'n.npy')).toThrow(/^n\.npy: malformed \.npy shape \(2,\\x0a 3x\)$/);
  });
});
