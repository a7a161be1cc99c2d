/**
 * IEEE half precision (float16) and bfloat16 <-> float32 conversions on raw 16-bit patterns.
 * Widening is exact; narrowing rounds to nearest, ties to even (what PyTorch and numpy do).
 */

let halfTable: Float32Array | undefined;

/** All 65536 float16 values as float32: one lookup per element is the fastest exact widening in JS. */
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0x1f) {
      bits[h] = sign | 0x7f800000 | (mantissa << 13);
    } else if (exponent !== 0) {
      bits[h] = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa === 0) {
      bits[h] = sign;
    } else {
      // Subnormal half: mantissa * 2^-24 is exactly representable as a normal float32.
      table[h] = (sign ? -mantissa : mantissa) * 2 ** -24;
    }
  }
  halfTable = table;
  return table;
}

/** Widens float16 bit patterns to float32 (exact). */
export function float16ToFloat32(half: Uint16Array, out: Float32Array = new Float32Array(half.length)): Float32Array {
  const table = halfToFloatTable();
  for (let i = 0; i < half.length; i++) out[i] = table[half[i]!]!;
  return out;
}

/** Widens bfloat16 bit patterns to float32 (exact: bfloat16 is the top half of a float32). */
export function bfloat16ToFloat32(bf: Uint16Array, out: Float32Array = new Float32Array(bf.length)): Float32Array {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < bf.length; i++) bits[i] = bf[i]! << 16;
  return out;
}

/** Narrows float32 to float16 bit patterns, round to nearest even; overflow gives ±Inf, NaN stays NaN. */
export function float32ToFloat16(values: Float32Array, out: Uint16Array = new Uint16Array(values.length)): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i]!;
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    const mantissa = x & 0x7fffff;
    if (exponent === 0xff) {
      out[i] = sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
      continue;
    }
    const e = exponent - 112;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (e > 0) {
      // Normal half: drop 13 mantissa bits with round-half-even; a carry may roll into the exponent (or Inf).
      const rounded = ((e << 23) | mantissa) + 0xfff + ((mantissa >>> 13) & 1);
      out[i] = sign | (rounded >>> 13);
    } else if (e > -11) {
      // Subnormal half: shift the implicit-1 mantissa right and round half to even.
      const m = mantissa | 0x800000;
      const shift = 14 - e;
      const half = m >>> shift;
      const remainder = m & ((1 << shift) - 1);
      const midpoint = 1 << (shift - 1);
      const up = remainder > midpoint || (remainder === midpoint && (half & 1) === 1) ? 1 : 0;
      out[i] = sign | (half + up);
    } else {
      out[i] = sign;
    }
  }
  return out;
}

/** Narrows float32 to bfloat16 bit patterns, round to nearest even; NaN stays NaN. */
export function float32ToBfloat16(values: Float32Array, out: Uint16Array = new Uint16Array(values.length)): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i]!;
    if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) {
      out[i] = (x >>> 16) | 0x40;
    } else {
      out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
    }
  }
  return out;
}
