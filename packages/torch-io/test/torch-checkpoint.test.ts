/**
 * torch.save files built to order: zip (any top folder, stored or deflated, either byte order) and
 * legacy format, strided views, dtypes, containers, and corrupt files.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { extractStateDict, readTorchCheckpoint, readTorchStateDict } from '../src/torch-checkpoint.js';
import { PickleRecord } from '../src/torch-pickle.js';
import type { TensorEntry } from '../src/tensor-map.js';
import {
  f32Bytes,
  i64Bytes,
  pickle,
  RawOps,
  tensor,
  torchLegacy,
  torchZip,
  u16Bytes,
  type PickleInput,
  type StorageSpec,
} from './builders.js';

const floatStorage = (key: string, numel: number): StorageSpec => ({ type: 'FloatStorage', key, numel });
const range = (n: number, scale = 1) => Array.from({ length: n }, (_, i) => i * scale);

function read(value: PickleInput, storages: Record<string, Uint8Array>, options: Parameters<typeof torchZip>[2] = {}) {
  return readTorchCheckpoint(torchZip(pickle(value), storages, options), { source: 'made.pth' });
}

function stateOf(value: PickleInput, storages: Record<string, Uint8Array>, options: Parameters<typeof torchZip>[2] = {}) {
  return extractStateDict(read(value, storages, options)).tensors;
}

describe('zip format', () => {
  it('reads any top folder name, stored or deflated, with the same result', () => {
    const sd = new Map([['w', tensor(floatStorage('0', 6), [2, 3])]]);
    const storages = { '0': f32Bytes(range(6, 0.5)) };
    for (const options of [{ top: 'state_dict_fp16' }, { top: 'archive', deflate: true }, { top: 'x y' }]) {
      const w = stateOf(sd, storages, options).get('w')!;
      expect(w).toMatchObject({ dtype: 'float32', shape: [2, 3], storage: { key: '0', offset: 0 } });
      expect([...w.data]).toEqual(range(6, 0.5));
    }
  });

  it('materialises strided and offset views correctly', () => {
    const s = floatStorage('0', 12);
    const sd = new Map<string, PickleInput>([
      ['full', tensor(s, [3, 4])],
      ['transposed', tensor(s, [4, 3], { stride: [1, 4] })],
      ['window', tensor(s, [2, 2], { offset: 5, stride: [4, 1] })],
      ['every_other', tensor(s, [6], { stride: [2], offset: 0 })],
      ['column', tensor(s, [3], { offset: 2, stride: [4] })],
      ['expanded', tensor(s, [2, 3], { offset: 7, stride: [0, 1] })],
      ['scalar', tensor(s, [], { offset: 11 })],
      ['empty', tensor(s, [0, 4])],
    ]);
    const t = stateOf(sd, { '0': f32Bytes(range(12)) });
    expect([...t.get('full')!.data]).toEqual(range(12));
    expect([...t.get('transposed')!.data]).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect([...t.get('window')!.data]).toEqual([5, 6, 9, 10]);
    expect([...t.get('every_other')!.data]).toEqual([0, 2, 4, 6, 8, 10]);
    expect([...t.get('column')!.data]).toEqual([2, 6, 10]);
    expect([...t.get('expanded')!.data]).toEqual([7, 8, 9, 7, 8, 9]);
    expect(t.get('scalar')).toMatchObject({ shape: [], storage: { key: '0', offset: 11 } });
    expect([...t.get('scalar')!.data]).toEqual([11]);
    expect(t.get('empty')!.data.length).toBe(0);
    // Contiguous views share the decoded storage instead of copying it.
    expect(t.get('window')!.data.buffer).not.toBe(t.get('full')!.data.buffer);
    expect(t.get('scalar')!.data.buffer).toBe(t.get('full')!.data.buffer);
  });

  it('shares one array between aliases and records their storage', () => {
    const s = { type: 'HalfStorage', key: '3', numel: 4 };
    const t = stateOf(new Map([['blocks.0.w', tensor(s, [4])], ['block_1.0.w', tensor(s, [4])], ['tail', tensor(s, [2], { offset: 2 })]]), {
      '3': u16Bytes([0x3c00, 0x4000, 0x4200, 0x4400]),
    });
    expect(t.get('blocks.0.w')!.data).toBe(t.get('block_1.0.w')!.data);
    expect(t.get('block_1.0.w')!.storage).toEqual({ key: '3', offset: 0 });
    expect(t.get('tail')!.storage).toEqual({ key: '3', offset: 2 });
    expect([...t.get('tail')!.data]).toEqual([3, 4]);
  });

  it('widens float16 and bfloat16 exactly, float64 to float32, and keeps integer dtypes', () => {
    const sd = new Map<string, PickleInput>([
      ['half', tensor({ type: 'HalfStorage', key: 'h', numel: 5 }, [5])],
      ['bf16', tensor({ type: 'BFloat16Storage', key: 'b', numel: 4 }, [4])],
      ['f64', tensor({ type: 'DoubleStorage', key: 'd', numel: 2 }, [2])],
      ['i64', tensor({ type: 'LongStorage', key: 'l', numel: 2 }, [2])],
      ['i32', tensor({ type: 'IntStorage', key: 'i', numel: 2 }, [2])],
      ['u8', tensor({ type: 'ByteStorage', key: 'u', numel: 2 }, [2])],
      ['mask', tensor({ type: 'BoolStorage', key: 'm', numel: 2 }, [2])],
    ]);
    const f64 = new Uint8Array(new Float64Array([0.1, 1e300]).buffer);
    const t = stateOf(sd, {
      h: u16Bytes([0x0001, 0x8000, 0x7bff, 0xfc00, 0x3555]),
      b: u16Bytes([0x3f80, 0xc049, 0x0001, 0x7f80]),
      d: f64,
      l: i64Bytes([-(2n ** 62n), 196n]),
      i: new Uint8Array(new Int32Array([-7, 2147483647]).buffer),
      u: new Uint8Array([0, 255]),
      m: new Uint8Array([1, 0]),
    });
    expect([...t.get('half')!.data]).toEqual([2 ** -24, -0, 65504, -Infinity, 0.333251953125]);
    expect(Object.is(t.get('half')!.data[1], -0)).toBe(true);
    expect([...t.get('bf16')!.data]).toEqual([1, -3.140625, 9.183549615799121e-41, Infinity]);
    expect(t.get('f64')).toMatchObject({ dtype: 'float64' });
    expect([...t.get('f64')!.data]).toEqual([Math.fround(0.1), Infinity]);
    expect(t.get('i64')).toMatchObject({ dtype: 'int64', data: new BigInt64Array([-(2n ** 62n), 196n]) });
    expect(t.get('i32')).toMatchObject({ dtype: 'int32', data: new Int32Array([-7, 2147483647]) });
    expect(t.get('u8')).toMatchObject({ dtype: 'uint8', data: new Uint8Array([0, 255]) });
    expect(t.get('mask')).toMatchObject({ dtype: 'bool', data: new Uint8Array([1, 0]) });
  });

  it('swaps bytes when byteorder says big', () => {
    const sd = new Map<string, PickleInput>([
      ['f', tensor(floatStorage('0', 3), [3])],
      ['h', tensor({ type: 'HalfStorage', key: '1', numel: 2 }, [2])],
      ['l', tensor({ type: 'LongStorage', key: '2', numel: 2 }, [2])],
    ]);
    const big = { '0': f32Bytes([1.5, -2, 3e-5], 'big'), '1': u16Bytes([0x3c00, 0xc000], 'big'), '2': i64Bytes([-3n, 2n ** 40n], 'big') };
    const t = stateOf(sd, big, { byteorder: 'big' });
    expect([...t.get('f')!.data]).toEqual([1.5, -2, Math.fround(3e-5)]);
    expect([...t.get('h')!.data]).toEqual([1, -2]);
    expect([...t.get('l')!.data]).toEqual([-3n, 2n ** 40n]);
    expect(read(sd, big, { byteorder: 'big' }).byteOrder).toBe('big');
  });

  it('keeps non-tensor values and follows shared or cyclic containers without looping', () => {
    // [list] where the list is appended to itself: EMPTY_LIST BINPUT 0 BINGET 0 APPEND.
    const cyclic = new RawOps([0x5d, 0x71, 0x00, 0x68, 0x00, 0x61]);
    const checkpoint = read({ model: new Map([['w', tensor(floatStorage('0', 1), [1])]]), loop: cyclic, epoch: 3, lr: 0.25 }, {
      '0': f32Bytes([2]),
    });
    const root = checkpoint.root as Map<string, unknown>;
    expect(root.get('epoch')).toBe(3);
    expect(root.get('lr')).toBe(0.25);
    const loop = root.get('loop') as unknown[];
    expect(loop[0]).toBe(loop);
    expect(extractStateDict(checkpoint).containerPath).toEqual(['model']);
  });
});

describe('zip format: corrupt files', () => {
  const sd = new Map([['w', tensor(floatStorage('0', 6), [2, 3])]]);
  const good = torchZip(pickle(sd), { '0': f32Bytes(range(6)) });

  it('fails clearly, naming the file, on every truncation of the archive', () => {
    for (let n = 0; n < good.length; n += 7) {
      expect(() => readTorchCheckpoint(good.subarray(0, n), { source: 'cut.pth' }), `cut at ${n}`).toThrow(/^cut\.pth: /);
    }
  });

  it('names a storage record that is too short for its elements', () => {
    const short = torchZip(pickle(sd), { '0': f32Bytes(range(5)) }, { top: 'sd' });
    expect(() => readTorchCheckpoint(short, { source: 'short.pth' })).toThrow(
      'short.pth: sd/data/0 has 20 bytes, but its 6 float32 elements need 24',
    );
  });

  it('names a view that reaches past its storage', () => {
    const view = new Map([['layer.w', tensor(floatStorage('0', 6), [2, 3], { offset: 2 })]]);
    expect(() => readTorchCheckpoint(torchZip(pickle(view), { '0': f32Bytes(range(6)) }), { source: 'v.pth' })).toThrow(
      /^v\.pth: tensor \["layer\.w"\] \(offset 2, shape \[2, 3\], stride \[3, 1\]\) reaches element 7 of storage "0", which holds only 6 elements/,
    );
  });

  it('refuses huge broadcast views', () => {
    const view = new Map([['b', tensor(floatStorage('0', 1), [1 << 13, 1 << 13], { stride: [0, 0] })]]);
    expect(() => readTorchCheckpoint(torchZip(pickle(view), { '0': f32Bytes([1]) }), { source: 'b.pth' })).toThrow(
      /broadcast views are limited/,
    );
  });

  it('names a missing storage record, a missing data.pkl, and a bad byteorder', () => {
    expect(() => readTorchCheckpoint(torchZip(pickle(sd), {}), { source: 'm.pth' })).toThrow(
      'm.pth: the pickle references storage record "archive/data/0", which is missing',
    );
    expect(() => readTorchCheckpoint(zipSync({ 'a/b.txt': new Uint8Array(1) }), { source: 'z.zip' })).toThrow(
      'z.zip: zip archive has no <folder>/data.pkl, so it is not a torch.save checkpoint',
    );
    const badOrder = torchZip(pickle(sd), { '0': f32Bytes(range(6)) }, { byteorder: 'middle' });
    expect(() => readTorchCheckpoint(badOrder, { source: 'o.pth' })).toThrow(
      'o.pth: archive/byteorder says "middle", expected "little" or "big"',
    );
  });

  it('recognises gzip and non-checkpoint input', () => {
    expect(() => readTorchCheckpoint(gzipSync(good), { source: 'a.pth.gz' })).toThrow(/a\.pth\.gz: this is a gzip file; decompress it first/);
    expect(() => readTorchCheckpoint(new TextEncoder().encode('hello'), { source: 'h.txt' })).toThrow(
      /h\.txt: not a torch\.save file \(starts with 68 65 6c 6c/,
    );
    expect(() => readTorchCheckpoint(new Uint8Array(0))).toThrow(/checkpoint: not a torch\.save file \(starts with nothing/);
  });
});

describe('legacy format', () => {
  it('reads a checkpoint written by CPython the way torch._legacy_save writes it', () => {
    const bytes = readFileSync(new URL('./fixtures/legacy_checkpoint.pth', import.meta.url));
    const checkpoint = readTorchCheckpoint(bytes, { source: 'legacy_checkpoint.pth' });
    expect(checkpoint.format).toBe('legacy');
    const root = checkpoint.root as Map<string, unknown>;
    expect(root.get('epoch')).toBe(3);
    const args = root.get('args') as PickleRecord;
    expect(args.className).toBe('argparse.Namespace');
    expect(args.state).toEqual(new Map<string, unknown>([['lr', 0.5], ['name', 'levit']]));

    const { tensors, containerPath } = extractStateDict(checkpoint);
    expect(containerPath).toEqual(['model']);
    const get = (k: string): TensorEntry => tensors.get(k)!;
    expect([...tensors.keys()]).toEqual(['conv.weight', 'conv.weight_t', 'window', 'bn.running_mean', 'bn.num_batches_tracked', 'half', 'idx', 'mask']);
    expect([...get('conv.weight').data]).toEqual([-1, -0.5, 0, 0.5, 1, 1.5]);
    expect([...get('conv.weight_t').data]).toEqual([-1, 0.5, -0.5, 1, 0, 1.5]);
    expect(get('conv.weight_t').storage!.key).toBe(get('conv.weight').storage!.key);
    expect([...get('window').data]).toEqual([1, 1.25, 1.75, 2]);
    expect(get('bn.running_mean')).toMatchObject({ dtype: 'float64', shape: [3] });
    expect([...get('bn.running_mean').data]).toEqual([0.1, 0.2, 1 / 3].map(Math.fround));
    expect(get('bn.num_batches_tracked')).toMatchObject({ dtype: 'int64', shape: [], data: new BigInt64Array([12345678901n]) });
    expect([...get('half').data]).toEqual([2 ** -24, -0, 65504, 1]);
    expect(get('idx')).toMatchObject({ dtype: 'int32', data: new Int32Array([1, -2, 3, 2147483647]) });
    expect(get('mask')).toMatchObject({ dtype: 'bool', data: new Uint8Array([1, 0, 1]) });
  });

  it('reads legacy storage views (view metadata with an element offset)', () => {
    const root = { type: 'FloatStorage', key: 'root', numel: 8, view: ['v', 2, 4] as [string, number, number] };
    const bytes = torchLegacy(pickle(new Map([['w', tensor(root, [2], { offset: 1 })]])), [
      { key: 'root', numel: 8, bytes: f32Bytes(range(8)) },
    ]);
    const w = readTorchStateDict(bytes).tensors.get('w')!;
    expect([...w.data]).toEqual([3, 4]);
    expect(w.storage).toEqual({ key: 'root', offset: 3 });
  });

  it('fails clearly on a wrong element count, truncation, and a bad magic number', () => {
    const sd = pickle(new Map([['w', tensor(floatStorage('k', 4), [4])]]));
    const good = torchLegacy(sd, [{ key: 'k', numel: 4, bytes: f32Bytes([1, 2, 3, 4]) }]);
    expect(readTorchStateDict(good).tensors.get('w')!.data).toEqual(new Float32Array([1, 2, 3, 4]));
    const wrongCount = torchLegacy(sd, [{ key: 'k', numel: 5, bytes: f32Bytes([1, 2, 3, 4]) }]);
    expect(() => readTorchCheckpoint(wrongCount, { source: 'c.pt' })).toThrow(/c\.pt: storage "k" holds 5 elements at byte \d+, the pickle says 4/);
    for (let n = 4; n < good.length; n += 3) {
      expect(() => readTorchCheckpoint(good.subarray(0, n), { source: 't.pt' }), `cut at ${n}`).toThrow(/^t\.pt/);
    }
    const badMagic = good.slice();
    badMagic[4] ^= 1;
    expect(() => readTorchCheckpoint(badMagic, { source: 'm.pt' })).toThrow('m.pt: bad magic number, so this is not a legacy torch.save file');
  });
});

describe('extractStateDict', () => {
  const w = () => tensor(floatStorage('0', 1), [1]);
  const storages = { '0': f32Bytes([1]) };
  const extract = (value: PickleInput, options: Parameters<typeof extractStateDict>[1] = {}) =>
    extractStateDict(read(value, storages), options);

  it.each(['state_dict', 'model_state_dict', 'model', 'module', 'net', 'network', 'params'])('finds a state_dict under %s', (key) => {
    const result = extract({ [key]: new Map([['a.weight', w()]]), epoch: 1 });
    expect(result.containerPath).toEqual([key]);
    expect([...result.tensors.keys()]).toEqual(['a.weight']);
  });

  it("prefers 'model' over 'model_ema', follows nested containers, and takes an explicit key", () => {
    const both = { model_ema: new Map([['ema', w()]]), model: new Map([['main', w()]]), optimizer: { state: {} } };
    expect([...extract(both).tensors.keys()]).toEqual(['main']);
    expect([...extract(both, { key: 'model_ema' }).tensors.keys()]).toEqual(['ema']);
    const nested = extract({ state_dict: { model: new Map([['x', w()]]) } });
    expect(nested.containerPath).toEqual(['state_dict', 'model']);
    expect(() => extract(both, { key: ['nope'] })).toThrow('made.pth: no key "nope" under (root)');
  });

  it('strips module. only when every key has it, and can keep it', () => {
    const dp = new Map([['module.a', w()], ['module.b', w()]]);
    expect(extract(dp)).toMatchObject({ removedPrefix: 'module.' });
    expect([...extract(dp).tensors.keys()]).toEqual(['a', 'b']);
    expect([...extract(dp, { stripModulePrefix: false }).tensors.keys()]).toEqual(['module.a', 'module.b']);
    const mixed = new Map([['module.a', w()], ['b', w()]]);
    expect([...extract(mixed).tensors.keys()]).toEqual(['module.a', 'b']);
  });

  it('lists non-tensor entries it leaves out, and explains when there is no state_dict', () => {
    const result = extract(new Map<string, PickleInput>([['a', w()], ['a._extra_state', 'x'], ['version', 2]]));
    expect(result.skippedKeys).toEqual(['a._extra_state', 'version']);
    expect(() => extract({ optimizer: {}, epoch: 3 })).toThrow(
      /made\.pth: no state_dict at \(root\): expected a dict of tensors or one of the keys state_dict, .*; found keys \[optimizer, epoch\]/,
    );
    expect(() => extract([1, 2])).toThrow(/no state_dict at \(root\): expected a dict of tensors, found a list/);
  });

  it("stops on a container that holds itself ({'model': <itself>})", () => {
    const text = (s: string) => [0x58, s.length, 0, 0, 0, ...new TextEncoder().encode(s)];
    const selfish = new RawOps([0x7d, 0x71, 0x00, 0x28, ...text('model'), 0x68, 0x00, 0x75]);
    expect(() => extract(selfish)).toThrow(/no state_dict at \["model"\]/);
  });
});
