/** float16 / bfloat16 conversions: exact widening, round-to-nearest-even narrowing (as numpy and PyTorch). */
import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from '../src/float16.js';

const f32 = (bits: number): number => new Float32Array(new Uint32Array([bits]).buffer)[0]!;
const toHalf = (...values: number[]) => [...float32ToFloat16(new Float32Array(values))];
const toBf16 = (...values: number[]) => [...float32ToBfloat16(new Float32Array(values))];

/** The float16 value of a bit pattern, computed from the IEEE definition independently of the table. */
function halfValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

describe('float16', () => {
  it('widens all 65536 bit patterns exactly and narrows them back to themselves', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const wide = float16ToFloat32(all);
    const back = float32ToFloat16(wide);
    for (let h = 0; h < 65536; h++) {
      const expected = halfValue(h);
      if (Number.isNaN(expected)) {
        expect(Number.isNaN(wide[h]!), `0x${h.toString(16)}`).toBe(true);
        expect(back[h]! & 0x7c00).toBe(0x7c00);
        expect(back[h]! & 0x3ff).not.toBe(0);
      } else {
        if (!Object.is(wide[h], expected)) expect(wide[h], `0x${h.toString(16)}`).toBe(expected);
        if (back[h] !== h) expect(back[h], `0x${h.toString(16)}`).toBe(h);
      }
    }
  });

  it('rounds to nearest, ties to even, including subnormals and overflow', () => {
    expect(toHalf(1 + 2 ** -11)).toEqual([0x3c00]); // tie -> even (down)
    expect(toHalf(1 + 3 * 2 ** -11)).toEqual([0x3c02]); // tie -> even (up)
    expect(toHalf(1 + 2 ** -11 + 2 ** -20)).toEqual([0x3c01]); // above the tie
    expect(toHalf(65519)).toEqual([0x7bff]);
    expect(toHalf(65520)).toEqual([0x7c00]); // tie at the top rounds to Inf
    expect(toHalf(1e10, -1e10)).toEqual([0x7c00, 0xfc00]);
    expect(toHalf(2 ** -25)).toEqual([0x0000]); // half of the smallest subnormal -> even (0)
    expect(toHalf(3 * 2 ** -25)).toEqual([0x0002]); // 1.5 units -> even (2)
    expect(toHalf(2 ** -25 + 2 ** -40)).toEqual([0x0001]);
    expect(toHalf(2 ** -14 - 2 ** -26)).toEqual([0x0400]); // rounds up into the smallest normal
    expect(toHalf(-0, 2 ** -30)).toEqual([0x8000, 0x0000]);
    expect(toHalf(NaN)[0]! & 0x7e00).toBe(0x7e00);
  });
});

describe('bfloat16', () => {
  it('widens by placing the bits in the top half of a float32', () => {
    const patterns = new Uint16Array([0x3f80, 0xc049, 0x0001, 0x7f80, 0xff80, 0x8000, 0x7f7f]);
    const wide = bfloat16ToFloat32(patterns);
    expect([...new Uint32Array(wide.buffer)]).toEqual([...patterns].map((p) => (p << 16) >>> 0));
    expect([...wide].slice(0, 2)).toEqual([1, -3.140625]);
  });

  it('rounds to nearest, ties to even, and keeps NaN a NaN', () => {
    expect(toBf16(1 + 2 ** -8)).toEqual([0x3f80]); // tie -> even (down)
    expect(toBf16(1 + 3 * 2 ** -8)).toEqual([0x3f82]); // tie -> even (up)
    expect(toBf16(1 + 2 ** -8 + 2 ** -20)).toEqual([0x3f81]);
    expect(toBf16(f32(0x7f7fffff))).toEqual([0x7f80]); // max float rounds to Inf
    expect(toBf16(f32(0x7f800001))[0]! & 0x7fc0).toBe(0x7fc0); // a signalling NaN stays NaN
    expect(toBf16(-2)).toEqual([0xc000]);
  });
});
