/**
 * Denial of service and silent corruption from small files: every size is bounded before it is
 * allocated, nesting is capped and walked in linear time, and zip/gzip CRC-32s are verified.
 */
import { deflateSync, Gzip, gzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  crc32,
  gunzipBytes,
  readSafetensors,
  readTorchCheckpoint,
  readWeights,
  readZipEntries,
  writeSafetensors,
} from '../src/index.js';
import { f32Bytes, pickle, tensor, torchZip, type PickleInput, type StorageSpec } from './builders.js';

const floatStorage = (key: string, numel: number): StorageSpec => ({ type: 'FloatStorage', key, numel });

/** A protocol-2 pickle of `depth` lists, each inside the previous: `[[[...]]]`. */
function nestedLists(depth: number): Uint8Array {
  const ops = new Uint8Array(2 + depth + (depth - 1) + 1);
  ops.set([0x80, 0x02]);
  ops.fill(0x5d, 2, 2 + depth); // EMPTY_LIST
  ops.fill(0x61, 2 + depth, 2 + depth + depth - 1); // APPEND
  ops[ops.length - 1] = 0x2e; // STOP
  return ops;
}

/** Offset of the stored data of zip member `name` (after its local header). */
function memberDataOffset(zip: Uint8Array, name: string): number {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const encoded = new TextEncoder().encode(name);
  for (let at = 0; at + 30 < zip.length; at++) {
    if (view.getUint32(at, true) !== 0x04034b50) continue;
    const nameLength = view.getUint16(at + 26, true);
    const found = zip.subarray(at + 30, at + 30 + nameLength);
    if (nameLength === encoded.length && found.every((b, i) => b === encoded[i])) {
      return at + 30 + nameLength + view.getUint16(at + 28, true);
    }
  }
  throw new Error(`no member ${name}`);
}

describe('crc32', () => {
  it('gives the standard check value and continues across pieces', () => {
    const digits = new TextEncoder().encode('123456789');
    expect(crc32(digits)).toBe(0xcbf43926); // the CRC-32/ISO-HDLC check value
    expect(crc32(digits.subarray(4), crc32(digits.subarray(0, 4)))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('zip members are verified', () => {
  const sd = new Map([['w', tensor(floatStorage('0', 4), [4])]]);
  const good = torchZip(pickle(sd), { '0': f32Bytes([1, 2, 3, 4]) });

  it('refuses a storage record whose bytes do not match their CRC-32 (a flipped bit used to load as a wrong weight)', () => {
    const bad = good.slice();
    bad[memberDataOffset(bad, 'archive/data/0') + 2] ^= 0x01;
    expect(() => readTorchCheckpoint(bad, { source: 'flip.pth' })).toThrow(
      /^flip\.pth: zip entry "archive\/data\/0" fails its CRC-32 check \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\): the file is corrupt$/,
    );
  });

  it('accepts a zero CRC as "not computed", as torch.serialization.set_crc32_options(False) writes', () => {
    const zip = good.slice();
    const view = new DataView(zip.buffer);
    // Zero the CRC in the central directory entry of the storage record.
    for (let at = 0; at + 46 < zip.length; at++) {
      if (view.getUint32(at, true) === 0x02014b50 && new TextDecoder().decode(zip.subarray(at + 46, at + 46 + 14)) === 'archive/data/0') {
        view.setUint32(at + 16, 0, true);
      }
    }
    expect([...(readTorchCheckpoint(zip).root as Map<string, { data: Float32Array }>).get('w')!.data]).toEqual([1, 2, 3, 4]);
    expect(() => readZipEntries(zip, { source: 'strict.zip' })).toThrow(/strict\.zip: zip entry "archive\/data\/0" fails its CRC-32/);
  });

  it('refuses a storage record that inflates beyond the storage it backs, before inflating it', () => {
    // 16 MiB of zeros deflate to ~16 KB; the pickle says the storage holds 4 floats (16 bytes).
    const zeros = new Uint8Array(16 << 20);
    const zip = zipSync({
      'archive/data.pkl': [pickle(sd), { level: 0 }],
      'archive/data/0': [zeros, { level: 9 }],
    });
    expect(zip.length).toBeLessThan(100_000);
    expect(() => readTorchCheckpoint(zip, { source: 'bomb.pth' })).toThrow(
      'bomb.pth: zip entry "archive/data/0" inflates to 16777216 bytes, but what it stores needs only 16',
    );
  });

  it('refuses members that together exceed maxBytes, naming the option', () => {
    const zip = zipSync({ 'a.bin': new Uint8Array(1000), 'b.bin': new Uint8Array(1000) });
    expect(readZipEntries(zip, { maxBytes: 2000 }).size).toBe(2);
    expect(() => readZipEntries(zip, { source: 'x.zip', maxBytes: 1500 })).toThrow(
      /^x\.zip: zip entry "b\.bin" \(1000 bytes, after 1000 already read\) needs 2000 bytes, more than the maxBytes limit of 1500 bytes/,
    );
  });

  it('refuses a member that claims more than deflate can produce', () => {
    const zip = zipSync({ 'a.bin': new Uint8Array(100) }, { level: 0 });
    const view = new DataView(zip.buffer);
    for (let at = 0; at + 46 < zip.length; at++) {
      if (view.getUint32(at, true) === 0x02014b50) {
        view.setUint16(at + 10, 8, true); // say "deflate"
        view.setUint32(at + 24, 2 ** 31, true); // and 2 GiB once inflated
      }
    }
    expect(() => readZipEntries(zip, { source: 'claim.zip' })).toThrow(/^claim\.zip: corrupt or truncated zip archive \(zip entry "a\.bin" claims 2147483648 bytes from 100 stored bytes\)$/);
  });
});

describe('nested pickles', () => {
  it('refuses nesting deeper than maxDepth at the unpickler, quickly', () => {
    const zip = torchZip(nestedLists(40_000), {});
    const start = performance.now();
    expect(() => readTorchCheckpoint(zip, { source: 'deep.pth' })).toThrow(
      /^deep\.pth:archive\/data\.pkl: containers nested 1001 deep, more than the maxDepth limit of 1000 \(pickle opcode APPEND at byte \d+\)$/,
    );
    expect(performance.now() - start).toBeLessThan(1000);
    expect(readTorchCheckpoint(torchZip(nestedLists(1000), {})).root).toBeInstanceOf(Array);
  });

  it('walks a deep tree in linear time when maxDepth is raised (80 KB took 15 s when every node copied its path)', () => {
    const zip = torchZip(nestedLists(40_000), {});
    const start = performance.now();
    let node = readTorchCheckpoint(zip, { maxDepth: 1e9 }).root as unknown[];
    let depth = 1;
    while (node.length > 0) {
      node = node[0] as unknown[];
      depth++;
    }
    expect(depth).toBe(40_000);
    expect(performance.now() - start).toBeLessThan(3000);
  });

  it('caps the depth of the tensor walk too (containers mutated through the memo after being nested)', () => {
    // a = []; b = (a,); then a.append([[[]]]) through the memo: b's recorded depth stays 2, the real depth is 5.
    const ops = [0x80, 0x02, 0x5d, 0x71, 0x00, 0x85, 0x68, 0x00, 0x5d, 0x5d, 0x5d, 0x61, 0x61, 0x61, 0x30, 0x2e];
    // Stack after 0x85 (TUPLE1): [b]; BINGET 0 pushes a; three lists nested (3 deep) appended to a; POP a; STOP returns b.
    const root = readTorchCheckpoint(torchZip(new Uint8Array(ops), {}), { maxDepth: 5 }).root;
    expect(root).toBeInstanceOf(Array);
    expect(() => readTorchCheckpoint(torchZip(new Uint8Array(ops), {}), { source: 'm.pth', maxDepth: 4 })).toThrow(
      /^m\.pth: containers nest more than the maxDepth limit of 4 deep \(at \[0\]\[0\]\[0\]\[0\]…\)$/,
    );
  });
});

describe('tensor data is bounded by maxBytes', () => {
  it('refuses stride-0 views that together exceed maxBytes before gathering them', () => {
    const s = floatStorage('0', 1);
    const sd = new Map<string, PickleInput>(
      Array.from({ length: 8 }, (_, i) => [`b${i}`, tensor(s, [1 << 12, (1 << 10) + i], { stride: [0, 0] })]),
    );
    const zip = torchZip(pickle(sd), { '0': f32Bytes([1]) });
    expect(() => readTorchCheckpoint(zip, { source: 'views.pth', maxBytes: 40 << 20 })).toThrow(
      /^views\.pth: gathering tensor \["b2"\] \(offset 0, shape \[4096, 1026\], stride \[0, 0\]\) \(\d+ bytes, after \d+ already read\) needs .* more than the maxBytes limit of 40\.0 MiB/,
    );
  });

  it('refuses a gzip stream that inflates beyond maxBytes without holding its output', () => {
    // 64 MiB of zeros, compressed piecewise so the test itself never holds them.
    const pieces: Uint8Array[] = [];
    const gzip = new Gzip({ level: 1 }, (chunk) => void pieces.push(chunk));
    const zeros = new Uint8Array(1 << 20);
    for (let i = 0; i < 64; i++) gzip.push(zeros, i === 63);
    const bomb = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
    pieces.reduce((at, p) => (bomb.set(p, at), at + p.length), 0);
    expect(bomb.length).toBeLessThan(500_000);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => gunzipBytes(bomb, 'bomb.pth.gz', { maxBytes: 4 << 20 })).toThrow(
      /^bomb\.pth\.gz: the gunzipped data \(at least\) needs .* more than the maxBytes limit of 4\.0 MiB/,
    );
    // Process-wide (other test files run in parallel threads), so only far below the 64 MiB an unbounded gunzip holds.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(48 << 20);
    expect(() => readWeights(bomb, { source: 'w.pth.gz', maxBytes: 4 << 20 })).toThrow(/^w\.pth\.gz: .*maxBytes/);
  });

  it('verifies the gzip trailer (fflate does not)', () => {
    const data = new Uint8Array(5000).map((_, i) => i % 251);
    const gz = gzipSync(data);
    expect(gunzipBytes(gz)).toEqual(data);
    const bad = gz.slice();
    bad[bad.length - 7] ^= 0x10; // inside the stored CRC-32
    expect(() => gunzipBytes(bad, 'g.gz')).toThrow(/^g\.gz: corrupt gzip data \(the trailer's CRC-32 or length does not match/);
    expect(deflateSync(data).length).toBeGreaterThan(0);
  });

  it('refuses safetensors whose tensors decode beyond maxBytes', () => {
    const st = writeSafetensors(new Map([['w', { dtype: 'float32' as const, shape: [1000], data: new Float32Array(1000) }]]));
    expect(readSafetensors(st, { maxBytes: 4000 }).tensors.size).toBe(1);
    expect(() => readSafetensors(st, { source: 's.safetensors', maxBytes: 3999 })).toThrow(/^s\.safetensors: tensor "w" needs 4000 bytes, more than the maxBytes limit/);
  });
});

describe('readWeights names the format it recognised', () => {
  it('reports a damaged safetensors header as safetensors, not as "not a torch.save file"', () => {
    const st = writeSafetensors(new Map([['w', { dtype: 'float32' as const, shape: [2], data: new Float32Array(2) }]]));
    const badJson = st.slice();
    badJson[8] = 0x5b; // '[' instead of '{'
    expect(() => readWeights(badJson, { source: 'm.safetensors' })).toThrow(/^m\.safetensors: header is not valid UTF-8 JSON \(/);
    const truncated = st.subarray(0, 12);
    expect(() => readWeights(truncated, { source: 't.safetensors' })).toThrow(/^t\.safetensors: header length \d+ exceeds the 4 bytes after it/);
  });
});

describe('error lines stay single lines whatever the file holds (found by the fuzzer)', () => {
  it('quotes names with newlines and flattens JSON.parse snippets', () => {
    const st = writeSafetensors(new Map([['a\nb', { dtype: 'float32' as const, shape: [1], data: new Float32Array(1) }]]));
    const badShape = new TextDecoder().decode(st).replace('"shape":[1]', '"shape":[2]');
    expect(() => readSafetensors(new TextEncoder().encode(badShape), { source: 's' })).toThrow(/^s: tensor "a\\nb": data_offsets \[0, 4\] span 4 bytes, but F32 \[2\] needs 8$/);
    const broken = st.slice();
    broken[30] = 0x0a; // a raw newline inside the JSON header
    expect(() => readSafetensors(broken, { source: 'j' })).toThrow(/^j: header is not valid UTF-8 JSON \([^\n]*\)$/);
  });
});
