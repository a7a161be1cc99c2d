import { describe, expect, it } from 'vitest';
import { parseNpy, rotate } from '../src/index.js';
import { fixtureBytes } from './fixtures.js';
import { indexImage, maxAbsDiff, pattern, rowSums } from './patterns.js';

const reference = (name: string) => parseNpy(fixtureBytes(`scipy/${name}.npy`));

describe('rotate against scipy.ndimage.rotate(..., reshape=False)', () => {
  it('order 0 picks exactly the pixels scipy picks, for every angle TransUNet can draw (48x40)', () => {
    const expected = reference('rotate_48x40_index_order0');
    const image = indexImage(Uint16Array, 48, 40);
    let mismatches = 0;
    for (let a = -20; a < 20; a++) {
      const actual = rotate(image, a, { order: 0 });
      const slice = expected.data.subarray((a + 20) * 1920, (a + 21) * 1920);
      for (let n = 0; n < 1920; n++) if (actual.data[n] !== slice[n]) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('order 0 on 512x512: same row sums of source indices as scipy', () => {
    const expected = reference('rotate_512_index_order0_rowsums');
    const image = indexImage(Int32Array, 512, 512);
    [-20, -13, -7, -1, 5, 11, 19].forEach((angle, n) => {
      const actual = rotate(image, angle, { order: 0 });
      expect(rowSums(actual.data, 512), `angle ${angle}`).toEqual(Array.from(expected.data.subarray(n * 512, (n + 1) * 512)));
    });
  });

  it('orders 1 and 3 on float32 within 1e-6', () => {
    expect(maxAbsDiff(rotate(pattern(48, 40), 13).data, reference('rotate_48x40_f4_13deg_order3').data)).toBeLessThan(1e-6);
    expect(maxAbsDiff(rotate(pattern(48, 40), -7.5, { order: 1 }).data, reference('rotate_48x40_f4_-7.5deg_order1').data)).toBeLessThan(
      1e-6,
    );
  });

  it('0 degrees is the identity and 90 degrees a rot90 on a square image', () => {
    const image = indexImage(Int32Array, 5, 5);
    expect(rotate(image, 0, { order: 0 }).data).toEqual(image.data);
    const turned = rotate(image, 90, { order: 0 });
    // counter-clockwise: output[i][j] = input[j][n-1-i] (np.rot90)
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(turned.data[i * 5 + j]).toBe(image.data[j * 5 + (4 - i)]);
  });
});
