import { describe, expect, it } from 'vitest';
import { parseNpy, zoom, resize, zoomShape } from '../src/index.js';
import { fixtureBytes } from './fixtures.js';
import { indexImage, labelPattern, maxAbsDiff, pattern, rowSums } from './patterns.js';

const reference = (name: string) => parseNpy(fixtureBytes(`scipy/${name}.npy`));

describe('zoom against scipy.ndimage.zoom', () => {
  it('512x512 -> 224x224 order 3 (TransUNet training resize): float32 within 1e-5', () => {
    const expected = reference('zoom_512_224_order3');
    const actual = zoom(pattern(512, 512), [224 / 512, 224 / 512], { order: 3 });
    expect(actual.shape).toEqual([224, 224]);
    expect(actual.data).toBeInstanceOf(Float32Array);
    expect(maxAbsDiff(actual.data, expected.data)).toBeLessThan(1e-5);
  });

  it('512x512 -> 224x224 order 0 labels: identical', () => {
    const expected = reference('zoom_512_224_order0_label');
    const actual = zoom(labelPattern(512, 512), [224 / 512, 224 / 512], { order: 0 });
    expect(actual.data).toBeInstanceOf(Uint8Array);
    expect(actual.data).toEqual(expected.data);
  });

  it('224 -> 512 order 0 (test_single_volume back-resize): identical picks', () => {
    const actual = resize(indexImage(Int32Array, 224, 224), [512, 512], { order: 0 });
    expect(rowSums(actual.data, 512)).toEqual(Array.from(reference('zoom_224_512_order0_index_rowsums').data));
    const transposed = new Int32Array(512 * 512);
    for (let r = 0; r < 512; r++) for (let c = 0; c < 512; c++) transposed[c * 512 + r] = actual.data[r * 512 + c]!;
    expect(rowSums(transposed, 512)).toEqual(Array.from(reference('zoom_224_512_order0_index_colsums').data));
  });

  it('non-square up/down sampling, orders 1, 2, 3, 5, float64', () => {
    const small = pattern(30, 20);
    const f64 = { data: Float64Array.from(small.data), shape: small.shape };
    const cases = [
      { actual: zoom(small, [47 / 30, 33 / 20]), name: 'zoom_30x20_to_47x33_order3', tol: 1e-6 },
      { actual: zoom(f64, 1.7, { order: 1 }), name: 'zoom_30x20_f8_x1.7_order1', tol: 1e-12 },
      { actual: zoom(f64, 0.55, { order: 5 }), name: 'zoom_30x20_f8_x0.55_order5', tol: 1e-12 },
      { actual: zoom(f64, 0.55, { order: 2 }), name: 'zoom_30x20_f8_x0.55_order2', tol: 1e-12 },
    ];
    for (const { actual, name, tol } of cases) {
      const expected = reference(name);
      expect(actual.shape, name).toEqual(expected.shape);
      expect(maxAbsDiff(actual.data, expected.data), name).toBeLessThan(tol);
    }
  });

  it('integer input is rounded and clamped the way scipy casts (int16, uint8)', () => {
    const small = pattern(30, 20);
    const i16 = { data: Int16Array.from(small.data, (v) => Math.trunc(v * 1000)), shape: small.shape };
    const u8 = { data: Uint8Array.from(small.data, (v) => Math.trunc(v * 100 + 40)), shape: small.shape };
    expect(zoom(i16, 1.3).data).toEqual(reference('zoom_30x20_i2_x1.3_order3').data);
    expect(zoom(u8, 1.3).data).toEqual(reference('zoom_30x20_u1_x1.3_order3').data);
  });

  it('3-D volumes', () => {
    const volume = { data: pattern(60, 20).data, shape: [3, 20, 20] };
    const expected = reference('zoom_3d_order3');
    const actual = zoom(volume, [2, 0.5, 1.25]);
    expect(actual.shape).toEqual(expected.shape);
    expect(maxAbsDiff(actual.data, expected.data)).toBeLessThan(1e-6);
  });

  it('output shape uses Python rounding (half to even)', () => {
    expect(zoomShape([5, 7, 3], [0.5, 0.5, 0.5])).toEqual([2, 4, 2]);
    expect(zoomShape([512, 333], [224 / 512, 224 / 333])).toEqual([224, 224]);
  });

  it('every order reproduces a constant image (weights and prefilter gain sum to one)', () => {
    const constant = { data: new Float64Array(13 * 9).fill(2.5), shape: [13, 9] };
    for (const order of [0, 1, 2, 3, 4, 5] as const) {
      const out = zoom(constant, [2.2, 0.6], { order });
      expect(out.shape).toEqual([29, 5]);
      expect(maxAbsDiff(out.data, new Float64Array(29 * 5).fill(2.5))).toBeLessThan(1e-12);
    }
  });
});
