import { describe, expect, it } from 'vitest';
import { DataError, encodeNpy, encodeNpz, parseNpy, parseNpz } from '../src/index.js';
import { fixtureBytes, fixtureJson } from './fixtures.js';

type Expected = Record<string, { shape: number[]; values: number[] }>;
const expected = fixtureJson<Expected>('npy/expected.json');

describe('parseNpy against arrays saved by numpy', () => {
  const arrayTypes: Record<string, string> = {
    f4_le: 'Float32Array',
    f8_be: 'Float64Array',
    i2_be: 'Int16Array',
    u1: 'Uint8Array',
    i1: 'Int8Array',
    u2: 'Uint16Array',
    i4: 'Int32Array',
    u4: 'Uint32Array',
    i8: 'Int32Array',
    i8_big: 'Float64Array',
    u8: 'Int32Array',
    b1: 'Uint8Array',
    f2: 'Float32Array',
    fortran: 'Float32Array',
    scalar: 'Float64Array',
    empty: 'Float32Array',
    rand1d: 'Float32Array',
  };
  for (const [name, type] of Object.entries(arrayTypes)) {
    it(`${name} decodes to ${type} with numpy's values and shape`, () => {
      const array = parseNpy(fixtureBytes(`npy/${name}.npy`));
      expect(array.data.constructor.name).toBe(type);
      expect(array.shape).toEqual(expected[name]!.shape);
      expect(Array.from(array.data)).toEqual(expected[name]!.values);
    });
  }
});

describe('encodeNpy', () => {
  it('writes the bytes np.save writes', () => {
    const numpyBytes = fixtureBytes('npy/f4_le.npy');
    expect(encodeNpy(parseNpy(numpyBytes))).toEqual(numpyBytes);
    const u1 = fixtureBytes('npy/u1.npy');
    expect(encodeNpy(parseNpy(u1))).toEqual(u1);
    const rand = fixtureBytes('npy/rand1d.npy');
    expect(encodeNpy(parseNpy(rand))).toEqual(rand);
  });

  it('round-trips every dtype it writes', () => {
    const arrays = [
      new Int8Array([-128, 0, 127, 5, 6, 7]),
      new Uint16Array([0, 65535, 1, 2, 3, 4]),
      new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0, 1, 2, 3]),
      new Uint32Array([0, 2 ** 32 - 1, 7, 8, 9, 10]),
      new Float64Array([Math.PI, -0, Infinity, NaN, 1e-300, 2]),
    ];
    for (const data of arrays) {
      const back = parseNpy(encodeNpy({ data, shape: [3, 2] }));
      expect(back.shape).toEqual([3, 2]);
      expect(back.data).toEqual(data);
    }
  });

  it('refuses a shape that does not match the data', () => {
    expect(() => encodeNpy({ data: new Float32Array(5), shape: [2, 3] })).toThrow(/does not hold 5/);
  });
});

describe('parseNpy on bad input', () => {
  it('names the file and the problem', () => {
    const bytes = fixtureBytes('npy/f8_be.npy');
    expect(() => parseNpy(bytes.subarray(0, bytes.length - 8), 'a.npy')).toThrow(
      /^a\.npy: truncated data: shape \(2, 3, 4\) of '>f8' needs 320 bytes, file has 312$/,
    );
    expect(() => parseNpy(new TextEncoder().encode('hello world'), 'b.npy')).toThrow(DataError);
    expect(() => parseNpy(new TextEncoder().encode('hello world'), 'b.npy')).toThrow(/b\.npy: not a \.npy file/);
    const complex = encodeNpy({ data: new Float32Array(4), shape: [4] });
    const text = new TextDecoder('latin1').decode(complex).replace('<f4', '<c8');
    expect(() => parseNpy(Uint8Array.from(text, (c) => c.charCodeAt(0)), 'c.npy')).toThrow(
      /c\.npy: unsupported dtype '<c8'/,
    );
  });
});

describe('npz', () => {
  for (const name of ['slice_stored', 'slice_deflated']) {
    it(`reads ${name}.npz written by numpy`, () => {
      const arrays = parseNpz(fixtureBytes(`npy/${name}.npz`));
      expect(Object.keys(arrays).sort()).toEqual(['image', 'label']);
      expect(arrays.image!.shape).toEqual([6, 5]);
      expect(arrays.image!.data).toBeInstanceOf(Float32Array);
      expect(arrays.image!.data[29]).toBeCloseTo(1, 6);
      expect(Array.from(arrays.label!.data.slice(0, 11))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1]);
    });
  }

  it('decodes only the requested arrays and names a missing one', () => {
    const arrays = parseNpz(fixtureBytes('npy/slice_deflated.npz'), { arrays: ['label'] });
    expect(Object.keys(arrays)).toEqual(['label']);
    expect(() => parseNpz(fixtureBytes('npy/image_only.npz'), { source: 'x.npz', arrays: ['image', 'label'] })).toThrow(
      "x.npz: missing array 'label' (archive has: image)",
    );
  });

  it('round-trips stored and deflated archives', () => {
    const image = { data: Float32Array.from({ length: 64 }, (_, i) => Math.sin(i)), shape: [8, 8] };
    const label = { data: Uint8Array.from({ length: 64 }, (_, i) => i % 9), shape: [8, 8] };
    for (const compress of [true, false]) {
      const back = parseNpz(encodeNpz({ image, label }, { compress }));
      expect(back.image).toEqual(image);
      expect(back.label).toEqual(label);
    }
    expect(encodeNpz({ image }, { compress: false }).length).toBeGreaterThan(encodeNpz({ image: label }).length);
  });

  it('reports a truncated or corrupt archive as a DataError naming it', () => {
    const bytes = fixtureBytes('npy/slice_deflated.npz');
    expect(() => parseNpz(bytes.subarray(0, 200), { source: 'cut.npz' })).toThrow(/^cut\.npz: unreadable \.npz archive/);
    const corrupt = bytes.slice();
    corrupt.fill(0x55, 60, 160);
    expect(() => parseNpz(corrupt, { source: 'bad.npz' })).toThrow(DataError);
  });
});
