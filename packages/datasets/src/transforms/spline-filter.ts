import { shapeSize } from '../io/dtype.js';
import { stridesOf } from './transpose.js';
import type { TypedArray } from '../volume.js';

/** Interpolation orders scipy.ndimage supports: 0 nearest, 1 linear, 2-5 B-splines. */
export type SplineOrder = 0 | 1 | 2 | 3 | 4 | 5;

// B-spline prefilter poles, from scipy/ndimage/src/ni_splines.c (get_filter_poles).
const POLES: Record<number, number[]> = {
  2: [-0.1715728752538099],
  3: [-0.2679491924311227],
  4: [-0.36134122590022016, -0.013725429297339121],
  5: [-0.4305753470999738, -0.04309628820326465],
};

/**
 * scipy's `spline_filter1d` on one line, in place, with the mirror boundary that scipy uses for
 * mode='constant' and 'mirror' (ni_splines.c: apply_filter with _init_causal/anticausal_mirror). The
 * arithmetic is in the same order as the C code so results agree to the last few bits.
 */
export function splineFilterLine(c: Float64Array, order: SplineOrder): void {
  const n = c.length;
  if (order < 2 || n <= 1) return;
  const poles = POLES[order]!;
  let gain = 1;
  for (const z of poles) gain *= (1 - z) * (1 - 1 / z);
  for (let i = 0; i < n; i++) c[i]! *= gain;
  for (const z of poles) {
    const zN1 = Math.pow(z, n - 1);
    let zi = z;
    c[0] = c[0]! + zN1 * c[n - 1]!;
    for (let i = 1; i < initTerms(z, n); i++) {
      c[0] += zi * (c[i]! + zN1 * c[n - 1 - i]!);
      zi *= z;
    }
    c[0] /= 1 - zN1 * zN1;
    for (let i = 1; i < n; i++) c[i]! += z * c[i - 1]!;
    c[n - 1] = ((z * c[n - 2]! + c[n - 1]!) * z) / (z * z - 1);
    for (let i = n - 2; i >= 0; i--) c[i] = z * (c[i + 1]! - c[i]!);
  }
}

/**
 * scipy's `spline_filter(input, order, output=np.float64, mode='constant')`: the B-spline coefficients
 * of a C-order array, filtering axis 0 first, then axis 1, ... (the order scipy uses).
 */
export function splineFilter(data: TypedArray, shape: readonly number[], order: SplineOrder): Float64Array {
  const out = new Float64Array(data.length);
  out.set(data);
  for (let axis = 0; axis < shape.length; axis++) splineFilterAxis(out, shape, axis, order);
  return out;
}

/** `spline_filter1d` along one axis of a C-order float64 array, in place. */
export function splineFilterAxis(values: Float64Array, shape: readonly number[], axis: number, order: SplineOrder): void {
  const n = shape[axis]!;
  if (order < 2 || n <= 1) return;
  const stride = stridesOf(shape)[axis]!;
  const total = shapeSize(shape);
  for (let base = 0; base < total; base += n * stride) {
    if (stride === 1) splineFilterLine(values.subarray(base, base + n), order);
    else filterLinesAcross(values, base, n, stride, order);
  }
}

// The mirror initialisation sums z^i-weighted samples over the whole line (scipy: i < n - 1). Terms with
// |z^i| < 1e-20 cannot change a double sum of image values, so the sum stops there (36 terms for cubic
// splines instead of n), which makes no measurable difference (tests compare with scipy) but ~25% less work.
function initTerms(z: number, n: number): number {
  return Math.min(n - 1, 1 + Math.ceil(Math.log(1e-20) / Math.log(Math.abs(z))));
}

// splineFilterLine applied to the `m` interleaved lines of an (n, m) block at once, walking rows instead
// of strided columns (cache friendly). Every element sees exactly the same arithmetic as in
// splineFilterLine, so the results are identical.
function filterLinesAcross(c: Float64Array, base: number, n: number, m: number, order: SplineOrder): void {
  const poles = POLES[order]!;
  let gain = 1;
  for (const z of poles) gain *= (1 - z) * (1 - 1 / z);
  const end = base + n * m;
  for (let i = base; i < end; i++) c[i]! *= gain;
  const last = base + (n - 1) * m;
  for (const z of poles) {
    const zN1 = Math.pow(z, n - 1);
    for (let j = 0; j < m; j++) c[base + j] = c[base + j]! + zN1 * c[last + j]!;
    let zi = z;
    for (let i = 1; i < initTerms(z, n); i++) {
      const row = base + i * m;
      const mirror = base + (n - 1 - i) * m;
      for (let j = 0; j < m; j++) c[base + j] += zi * (c[row + j]! + zN1 * c[mirror + j]!);
      zi *= z;
    }
    const norm = 1 - zN1 * zN1;
    for (let j = 0; j < m; j++) c[base + j] /= norm;
    for (let i = 1; i < n; i++) {
      const row = base + i * m;
      for (let j = 0; j < m; j++) c[row + j] += z * c[row - m + j]!;
    }
    const denominator = z * z - 1;
    for (let j = 0; j < m; j++) c[last + j] = ((z * c[last - m + j]! + c[last + j]!) * z) / denominator;
    for (let i = n - 2; i >= 0; i--) {
      const row = base + i * m;
      for (let j = 0; j < m; j++) c[row + j] = z * (c[row + m + j]! - c[row + j]!);
    }
  }
}

/** scipy's get_spline_interpolation_weights (ni_splines.c): the order+1 weights for coordinate `x`. */
export function splineWeights(x: number, order: SplineOrder, weights: Float64Array): void {
  if (order === 0) {
    weights[0] = 1;
    return;
  }
  x -= Math.floor(order & 1 ? x : x + 0.5);
  let y = x;
  let z = 1 - x;
  let t: number;
  switch (order) {
    case 1:
      weights[0] = 1 - x;
      break;
    case 2:
      weights[1] = 0.75 - x * x;
      y = 0.5 - x;
      weights[0] = 0.5 * y * y;
      break;
    case 3:
      weights[1] = (y * y * (y - 2) * 3 + 4) / 6;
      weights[2] = (z * z * (z - 2) * 3 + 4) / 6;
      weights[0] = (z * z * z) / 6;
      break;
    case 4:
      t = x * x;
      weights[2] = t * (t * 0.25 - 0.625) + 115 / 192;
      y = 1 + x;
      weights[1] = y * (y * ((y * (5 - y)) / 6 - 1.25) + 5 / 24) + 55 / 96;
      weights[3] = z * (z * ((z * (5 - z)) / 6 - 1.25) + 5 / 24) + 55 / 96;
      y = 0.5 - x;
      t = y * y;
      weights[0] = (t * t) / 24;
      break;
    case 5:
      t = y * y;
      weights[2] = t * (t * (0.25 - y / 12) - 0.5) + 0.55;
      t = z * z;
      weights[3] = t * (t * (0.25 - z / 12) - 0.5) + 0.55;
      y += 1;
      weights[1] = y * (y * (y * (y * (y / 24 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
      z += 1;
      weights[4] = z * (z * (z * (z * (z / 24 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
      y = 1 - x;
      t = y * y;
      weights[0] = (y * t * t) / 120;
      break;
  }
  weights[order] = 1;
  for (let i = 0; i < order; i++) weights[order]! -= weights[i]!;
}

/** First tap of the interpolation window for coordinate `cc` (ni_interpolation.c). */
export function firstTap(cc: number, order: SplineOrder): number {
  return order & 1 ? Math.floor(cc) - (order >> 1) : Math.floor(cc + 0.5) - (order >> 1);
}

/** scipy's mirror boundary for a tap index outside [0, len-1] (map_coordinate, NI_EXTEND_MIRROR). */
export function mirrorIndex(index: number, len: number): number {
  if (index >= 0 && index <= len - 1) return index;
  if (len <= 1) return 0;
  const sz2 = 2 * len - 2;
  if (index < 0) {
    const m = sz2 * Math.trunc(-index / sz2) + index;
    return m <= 1 - len ? m + sz2 : -m;
  }
  const m = index - sz2 * Math.trunc(index / sz2);
  return m >= len ? sz2 - m : m;
}

/**
 * Stores interpolated values the way scipy casts to the output dtype: floats as they are (rounded to
 * float32 by the array), integers rounded half away from zero and clamped to the type's range.
 */
export function castLike(values: Float64Array, like: TypedArray): TypedArray {
  const out = new (like.constructor as new (n: number) => TypedArray)(values.length);
  if (out instanceof Float32Array || out instanceof Float64Array) {
    out.set(values);
    return out;
  }
  const [min, max] = integerRange(out);
  for (let i = 0; i < values.length; i++) {
    const t = values[i]!;
    const rounded = min === 0 ? (t > 0 ? Math.trunc(t + 0.5) : 0) : Math.trunc(t > 0 ? t + 0.5 : t - 0.5);
    out[i] = Math.min(max, Math.max(min, rounded));
  }
  return out;
}

function integerRange(array: TypedArray): [number, number] {
  const bits = array.BYTES_PER_ELEMENT * 8;
  const signed = array instanceof Int8Array || array instanceof Int16Array || array instanceof Int32Array;
  return signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}
