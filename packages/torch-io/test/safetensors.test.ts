/**
 * safetensors: byte-exact agreement with the reference writer's own test vectors, bit-exact round trips,
 * ordering, and the reference reader's validation rules.
 */
import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../src/safetensors.js';
import type { TensorEntry, TensorMap } from '../src/tensor-map.js';

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const zeros = (n: number) => '\0'.repeat(n);
const f32 = (values: number[], shape = [values.length]): TensorEntry => ({ dtype: 'float32', shape, data: new Float32Array(values) });
const i32 = (values: number[], shape = [values.length]): TensorEntry => ({ dtype: 'int32', shape, data: new Int32Array(values) });

/** A safetensors file as bytes: header length, header text, data. */
function file(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe('writeSafetensors matches the reference implementation byte for byte', () => {
  // Expected bytes are those asserted by huggingface/safetensors' bindings/python/tests/test_simple.py.
  it('pads the header with spaces to a multiple of 8', () => {
    const out = writeSafetensors(new Map([['test', i32([0, 0, 0, 1], [2, 2])]]));
    expect(out).toEqual(latin1(`@${zeros(7)}{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}    ${zeros(12)}\x01${zeros(3)}`));
  });

  it('writes __metadata__ first', () => {
    const out = writeSafetensors(new Map([['test1', i32([0, 0, 0, 0], [2, 2])]]), { metadata: { framework: 'pt' } });
    expect(out).toEqual(
      latin1(`\`${zeros(7)}{"__metadata__":{"framework":"pt"},"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}} ${zeros(16)}`),
    );
  });

  it('puts wider dtypes first so every tensor is aligned, whatever the given order', () => {
    const half: TensorEntry = { dtype: 'float16', shape: [2, 2], data: new Float32Array(4) };
    const expected = latin1(
      `\x80${zeros(7)}{"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]},"test2":{"dtype":"F16","shape":[2,2],"data_offsets":[16,24]}}      ${zeros(24)}`,
    );
    for (const order of ['aligned', 'reference'] as const) {
      expect(writeSafetensors(new Map([['test2', half], ['test1', i32([0, 0, 0, 0], [2, 2])]]), { order })).toEqual(expected);
    }
  });
});

describe('safetensors round trip', () => {
  const special = [0, -0, 1.5, -2, 65504, 2 ** -24, 1e-40, Infinity, -Infinity, 3.4028234663852886e38];
  const halfValues = [0, -0, 1, -2, 65504, 2 ** -24, 0.333251953125, Infinity];
  const tensors: TensorMap = new Map<string, TensorEntry>([
    ['f32', f32(special, [2, 5])],
    ['f16', { dtype: 'float16', shape: [8], data: new Float32Array(halfValues) }],
    ['bf16', { dtype: 'bfloat16', shape: [3], data: new Float32Array([1, -3.140625, 2 ** -133]) }],
    ['f64', { dtype: 'float64', shape: [2], data: new Float32Array([Math.fround(0.1), -1]) }],
    ['i64', { dtype: 'int64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 196n]) }],
    ['i32', i32([-7, 2147483647])],
    ['u8', { dtype: 'uint8', shape: [2], data: new Uint8Array([0, 255]) }],
    ['mask', { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) }],
    ['scalar', f32([42], [])],
    ['empty', f32([], [0, 3])],
  ]);

  it('reads back every dtype bit for bit, with dtypes, shapes and metadata', () => {
    const { tensors: back, metadata } = readSafetensors(writeSafetensors(tensors, { metadata: { format: 'pt', note: 'é' } }));
    expect(metadata).toEqual({ format: 'pt', note: 'é' });
    expect(back.size).toBe(tensors.size);
    for (const [name, entry] of tensors) {
      const got = back.get(name)!;
      expect(got.dtype, name).toBe(entry.dtype);
      expect(got.shape, name).toEqual(entry.shape);
      expect(new Uint8Array(got.data.buffer, got.data.byteOffset, got.data.byteLength), name).toEqual(
        new Uint8Array(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength),
      );
    }
  });

  it('keeps the given order with order "given", and returns tensors in file order', () => {
    const out = writeSafetensors(tensors, { order: 'given' });
    expect([...readSafetensors(out).tensors.keys()]).toEqual([...tensors.keys()]);
    const aligned = readSafetensors(writeSafetensors(tensors));
    expect([...aligned.tensors.keys()]).toEqual(['f64', 'i64', 'f32', 'i32', 'scalar', 'empty', 'f16', 'bf16', 'u8', 'mask']);
    const reference = readSafetensors(writeSafetensors(tensors, { order: 'reference' }));
    expect([...reference.tensors.keys()]).toEqual(['i64', 'f64', 'empty', 'f32', 'scalar', 'i32', 'bf16', 'f16', 'u8', 'mask']);
  });

  it('stores every float as the requested dtype with floatDtype', () => {
    const back = readSafetensors(writeSafetensors(new Map([['w', f32([1 + 2 ** -11, 1 + 3 * 2 ** -11, 1e6])]]), { floatDtype: 'F16' }));
    expect(back.tensors.get('w')).toMatchObject({ dtype: 'float16' });
    expect([...back.tensors.get('w')!.data]).toEqual([1, 1 + 2 ** -9, Infinity]);
  });

  it('writes views into shared buffers, and names like __proto__, correctly', () => {
    const shared = new Float32Array([9, 1, 2, 3, 9]);
    const back = readSafetensors(writeSafetensors(new Map([['__proto__', f32([5])], ['view', { dtype: 'float32', shape: [3], data: shared.subarray(1, 4) }]])));
    expect([...back.tensors.keys()]).toEqual(['__proto__', 'view']);
    expect([...back.tensors.get('view')!.data]).toEqual([1, 2, 3]);
  });

  it('refuses inconsistent input', () => {
    expect(() => writeSafetensors(new Map([['__metadata__', f32([1])]]))).toThrow('tensor name "__metadata__" is reserved by safetensors');
    expect(() => writeSafetensors(new Map([['w', f32([1, 2], [3])]]))).toThrow('tensor "w": shape [3] needs 3 elements but data has 2');
    expect(() => writeSafetensors(new Map([['w', { dtype: 'int64', shape: [1], data: new Int32Array(1) } as TensorEntry]]))).toThrow(
      'tensor "w": dtype int64 must hold its data in a BigInt64Array, got Int32Array',
    );
    expect(() => writeSafetensors(new Map(), { metadata: { n: 1 } as unknown as Record<string, string> })).toThrow(/metadata must map strings to strings/);
  });
});

describe('readSafetensors validation', () => {
  const good = writeSafetensors(new Map([['a', f32([1, 2])], ['b', f32([3])]]), { order: 'given' });
  const read = (bytes: Uint8Array) => readSafetensors(bytes, { source: 'x.safetensors' });
  const info = '"dtype":"F32","shape":[1]';

  it('accepts the reference test vector that has no header padding', () => {
    const unpadded = file('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}', new Uint8Array(16));
    expect(read(unpadded).tensors.get('test')).toMatchObject({ dtype: 'int32', shape: [2, 2], data: new Int32Array(4) });
  });

  it('fails clearly on every truncation', () => {
    for (let n = 0; n < good.length; n++) {
      expect(() => read(good.subarray(0, n)), `cut at ${n}`).toThrow(/^x\.safetensors: /);
    }
  });

  it.each([
    ['a too-large header length', file('{}').fill(0xff, 0, 8), /header length \d+ exceeds the 2 bytes after it/],
    ['invalid JSON', file('{"a":'), /header is not valid UTF-8 JSON/],
    ['invalid UTF-8', file('{"x":1}').map((b, i) => (i === 10 ? 0xff : b)), /header is not valid UTF-8 JSON/],
    ['a non-object header', file('[1,2]'), /header is not a JSON object/],
    ['an unknown dtype', file(`{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}`, new Uint8Array(1)), /tensor "a": dtype "F8_E4M3" is not supported/],
    ['a negative dimension', file(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, new Uint8Array(4)), /tensor "a": shape must be a list of non-negative integers/],
    ['reversed offsets', file(`{"a":{${info},"data_offsets":[4,0]}}`, new Uint8Array(4)), /tensor "a": data_offsets must be \[begin, end\]/],
    ['a size mismatch', file(`{"a":{${info},"data_offsets":[0,8]}}`, new Uint8Array(8)), /tensor "a": data_offsets \[0, 8\] span 8 bytes, but F32 \[1\] needs 4/],
    ['a gap', file(`{"a":{${info},"data_offsets":[0,4]},"b":{${info},"data_offsets":[8,12]}}`, new Uint8Array(12)), /tensor "b": data starts at 8, expected 4/],
    ['an overlap', file(`{"a":{${info},"data_offsets":[0,4]},"b":{${info},"data_offsets":[0,4]}}`, new Uint8Array(4)), /data starts at 0, expected 4/],
    ['trailing bytes', file(`{"a":{${info},"data_offsets":[0,4]}}`, new Uint8Array(5)), /tensors cover 4 data bytes but the file has 5/],
    ['non-string metadata', file('{"__metadata__":{"n":1}}'), /"__metadata__" must map strings to strings/],
  ])('refuses %s', (_, bytes, message) => {
    expect(() => read(bytes)).toThrow(message);
  });

  it('refuses a file shorter than the length prefix', () => {
    expect(() => read(new Uint8Array(3))).toThrow('x.safetensors: file of 3 bytes is too short for the 8-byte header length');
  });
});
