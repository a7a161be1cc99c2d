import { toGrid } from './grid.js';
import { assertLabelMapShape } from './label-map.js';

/**
 * Exact Euclidean distance transform, linear time (Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled
 * Functions", Theory of Computing 8, 2012). The squared distance separates over axes,
 *   D(z, y, x) = min over features (z', y', x') of (s₀(z − z'))² + (s₁(y − y'))² + (s₂(x − x'))²,
 * so it is computed by a 1-D pass along x on the binary features, then two passes of the 1-D transform of a sampled
 * function, d(q) = min_p (s(q − p))² + f(p), along y and along z. Each 1-D pass builds the lower envelope of the
 * parabolas rooted at the finite samples. Results equal scipy's `distance_transform_edt(~features, sampling)`
 * to rounding.
 */

/** Envelope buffers for one line: parabola roots v, their f(v) + s²v², and the boundaries zb between them. */
interface Envelope {
  readonly v: Int32Array;
  readonly fv: Float64Array;
  readonly hv: Float64Array;
  readonly zb: Float64Array;
}

function makeEnvelope(n: number): Envelope {
  return { v: new Int32Array(n), fv: new Float64Array(n), hv: new Float64Array(n), zb: new Float64Array(n + 1) };
}

/**
 * In place, along one line of `data` (n samples, `stride` apart, from `start`): d(q) = min_p (s(q − p))² + f(p)
 * over the finite f(p). The parabolas rooted at r < q meet at x = (f(q) + s²q² − f(r) − s²r²) / (2s²(q − r)).
 * The envelope keeps f(v) itself, so the line can be overwritten while it is evaluated. A line without a finite
 * sample stays infinite. With `at`, only the samples where `at` (indexed like `data`) is non-zero are written.
 */
function transformLine(
  data: Float64Array,
  start: number,
  n: number,
  stride: number,
  s2: number,
  env: Envelope,
  at: Uint8Array | null,
): void {
  const { v, fv, hv, zb } = env;
  let k = -1;
  for (let q = 0, i = start; q < n; q++, i += stride) {
    const fq = data[i];
    if (fq === Infinity) continue;
    const hq = fq + s2 * q * q;
    let x = -Infinity;
    while (k >= 0) {
      x = (hq - hv[k]) / (2 * s2 * (q - v[k]));
      if (x > zb[k]) break;
      k--;
    }
    if (k < 0) x = -Infinity;
    k++;
    v[k] = q;
    fv[k] = fq;
    hv[k] = hq;
    zb[k] = x;
  }
  if (k < 0) return;
  zb[k + 1] = Infinity;
  k = 0;
  for (let q = 0, i = start; q < n; q++, i += stride) {
    if (at !== null && at[i] === 0) continue;
    while (zb[k + 1] < q) k++;
    const dq = q - v[k];
    data[i] = s2 * dq * dq + fv[k];
  }
}

/** Pass along the last (contiguous) axis on the binary features: squared distance to the nearest feature in the row. */
function passRows(features: Uint8Array, out: Float64Array, rows: number, n: number, s2: number): void {
  for (let row = 0, base = 0; row < rows; row++, base += n) {
    let last = -1;
    for (let x = 0; x < n; x++) {
      if (features[base + x] !== 0) last = x;
      out[base + x] = last < 0 ? Infinity : x - last;
    }
    if (last < 0) continue;
    let next = -1;
    for (let x = n - 1; x >= 0; x--) {
      if (features[base + x] !== 0) next = x;
      const gap = next < 0 ? out[base + x] : Math.min(out[base + x], next - x);
      out[base + x] = s2 * gap * gap;
    }
  }
}

/** Which lines along axis 0 (one per (y, x)) hold a voxel of `at`. */
function linesHolding(at: Uint8Array, n0: number, sliceSize: number): Uint8Array {
  const lines = new Uint8Array(sliceSize);
  for (let z = 0, base = 0; z < n0; z++, base += sliceSize) {
    for (let j = 0; j < sliceSize; j++) lines[j] |= at[base + j];
  }
  return lines;
}

/**
 * Squared Euclidean distance from every voxel of a 3-D grid (C order) to the nearest voxel where `features` is
 * non-zero, with voxel steps `spacing` per axis; Infinity where there is no feature. Writes into `out` when given
 * (its length must be the voxel count).
 *
 * With `at`, only the voxels where `at` is non-zero get their distance: the last pass skips every other voxel and
 * every line that holds none of them. That is all a directed surface distance reads (medpy's `edt[S(P)]`), and it
 * roughly halves the last pass; the other voxels keep intermediate values.
 */
export function squaredDistanceTransform(
  features: Uint8Array,
  dims: readonly [number, number, number],
  spacing: readonly [number, number, number],
  out: Float64Array = new Float64Array(dims[0] * dims[1] * dims[2]),
  at: Uint8Array | null = null,
): Float64Array {
  const [n0, n1, n2] = dims;
  const env = makeEnvelope(Math.max(n0, n1));
  passRows(features, out, n0 * n1, n2, spacing[2] ** 2);
  const sliceSize = n1 * n2;
  if (n1 > 1) {
    const s2 = spacing[1] ** 2;
    for (let z = 0; z < n0; z++) {
      for (let x = 0; x < n2; x++) transformLine(out, z * sliceSize + x, n1, n2, s2, env, null);
    }
  }
  if (n0 > 1) {
    const s2 = spacing[0] ** 2;
    const lines = at === null ? null : linesHolding(at, n0, sliceSize);
    for (let start = 0; start < sliceSize; start++) {
      if (lines === null || lines[start] !== 0) transformLine(out, start, n0, sliceSize, s2, env, at);
    }
  }
  return out;
}

/**
 * Euclidean distance from every pixel or voxel of a 2-D or 3-D mask (C order) to the nearest non-zero one, with
 * `spacingMm` per array axis (default 1): scipy's `distance_transform_edt(mask == 0, sampling=spacingMm)`, except
 * that a mask without any non-zero value gives Infinity everywhere.
 */
export function distanceTransform(
  mask: { readonly data: Uint8Array; readonly shape: readonly number[] },
  spacingMm?: readonly number[] | null,
): Float64Array {
  assertLabelMapShape('mask', mask);
  const grid = toGrid(mask.shape, spacingMm);
  const squared = squaredDistanceTransform(mask.data, grid.dims, grid.spacing);
  for (let i = 0; i < squared.length; i++) squared[i] = Math.sqrt(squared[i]);
  return squared;
}
