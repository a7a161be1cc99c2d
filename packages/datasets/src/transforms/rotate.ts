import { castLike, firstTap, mirrorIndex, splineFilter, splineWeights, type SplineOrder } from './spline-filter.js';
import type { NdArray, TypedArray } from '../volume.js';

// Cephes sindg/cosdg (what scipy.special.sindg/cosdg and so ndimage.rotate use): reducing the angle in
// degrees before converting to radians gives results that differ from Math.sin(x * PI / 180) in the last
// bit for some integer angles, which can move a nearest-neighbour pick.
const SINCOF = [
  1.5896230157221844e-10, -2.5050747762850355e-8, 0.0000027557313621385676, -0.0001984126982958954,
  0.008333333333322118, -0.1666666666666663,
];
const COSCOF = [
  1.1367817138204455e-11, -2.0875883375768363e-9, 2.7557315542981663e-7, -0.00002480158729361863,
  0.0013888888888880667, -0.04166666666666664, 0.5,
];
const PI180 = 0.017453292519943295;

function polevl(x: number, coefficients: readonly number[]): number {
  let result = coefficients[0]!;
  for (let i = 1; i < coefficients.length; i++) result = result * x + coefficients[i]!;
  return result;
}

function octant(x: number): { y: number; j: number } {
  let y = Math.floor(x / 45);
  const z = y - Math.floor(y / 16) * 16;
  let j = z;
  if (j & 1) {
    j += 1;
    y += 1;
  }
  return { y, j: j & 7 };
}

function sinCosDegrees(x: number, cosine: boolean): number {
  let sign = 1;
  if (x < 0) {
    x = -x;
    if (!cosine) sign = -1;
  }
  const { y, j: j0 } = octant(x);
  let j = j0;
  if (j > 3) {
    sign = -sign;
    j -= 4;
  }
  if (cosine && j > 1) sign = -sign;
  const z = (x - y * 45) * PI180;
  const zz = z * z;
  const sinBranch = cosine ? j === 1 || j === 2 : !(j === 1 || j === 2);
  const r = sinBranch ? z + z * (zz * polevl(zz, SINCOF)) : 1 - zz * polevl(zz, COSCOF);
  return sign < 0 ? -r : r;
}

/** Options of `rotate`. */
export interface RotateOptions {
  /** Spline order as in scipy (default 3). TransUNet rotates with order 0 (nearest). */
  order?: SplineOrder;
}

/**
 * `scipy.ndimage.rotate(image, angle, order=order, reshape=False)` for a 2-D array, with scipy's defaults
 * (axes=(1, 0), mode='constant', cval=0, prefilter=True): output pixel `o` samples input coordinate
 * `R o + offset` with `R = [[cos, sin], [-sin, cos]]` (angle in degrees, positive = counter-clockwise
 * as displayed with row 0 on top) about the array centre `(shape - 1) / 2`; samples beyond
 * `[0, n - 1]` are 0; the result keeps the input's shape and dtype.
 */
export function rotate<T extends TypedArray>(image: NdArray<T>, angle: number, options: RotateOptions = {}): NdArray<T> {
  const order = options.order ?? 3;
  if (image.shape.length !== 2) throw new Error(`rotate: expected a 2-D array, got shape [${image.shape.join(', ')}]`);
  const [h, w] = image.shape as [number, number];
  const grid = rotationGrid(h, w, angle);
  if (order === 0) {
    // Nearest neighbour copies values in the input's own type: floor(x + 0.5), as scipy rounds for even orders.
    const src = image.data;
    const out = new (src.constructor as new (n: number) => T)(h * w);
    forEachSample(grid, (o, y, x) => {
      out[o] = src[Math.floor(y + 0.5) * w + Math.floor(x + 0.5)]!;
    });
    return { data: out, shape: [h, w] };
  }
  const coefficients = order > 1 ? splineFilter(image.data, image.shape, order) : image.data;
  const out = new Float64Array(h * w);
  const width = order + 1;
  const wy = new Float64Array(width);
  const wx = new Float64Array(width);
  const ty = new Int32Array(width);
  const tx = new Int32Array(width);
  forEachSample(grid, (o, y, x) => {
    const sy = firstTap(y, order);
    const sx = firstTap(x, order);
    splineWeights(y, order, wy);
    splineWeights(x, order, wx);
    for (let t = 0; t < width; t++) {
      ty[t] = mirrorIndex(sy + t, h);
      tx[t] = mirrorIndex(sx + t, w);
    }
    let value = 0;
    for (let a = 0; a < width; a++) {
      for (let b = 0; b < width; b++) value += coefficients[ty[a]! * w + tx[b]!]! * wy[a]! * wx[b]!;
    }
    out[o] = value;
  });
  return { data: castLike(out, image.data) as T, shape: [h, w] };
}

interface RotationGrid {
  h: number;
  w: number;
  c: number;
  s: number;
  offset0: number;
  offset1: number;
}

// scipy.ndimage.rotate's affine_transform arguments: matrix [[c, s], [-s, c]] and the offset that keeps
// the array centre (shape - 1) / 2 fixed.
function rotationGrid(h: number, w: number, angle: number): RotationGrid {
  const c = sinCosDegrees(angle, true);
  const s = sinCosDegrees(angle, false);
  const ch = (h - 1) / 2;
  const cw = (w - 1) / 2;
  return { h, w, c, s, offset0: ch - (c * ch + s * cw), offset1: cw - (-s * ch + c * cw) };
}

/** Calls `visit(outputIndex, y, x)` for every output pixel whose input coordinate lies inside the image (others stay 0, mode='constant'). */
function forEachSample(g: RotationGrid, visit: (o: number, y: number, x: number) => void): void {
  const { h, w, c, s, offset0, offset1 } = g;
  for (let o0 = 0; o0 < h; o0++) {
    for (let o1 = 0; o1 < w; o1++) {
      // Same accumulation order as NI_GeometricTransform: shift, + o0 * m[h][0], + o1 * m[h][1].
      let y = offset0;
      y += o0 * c;
      y += o1 * s;
      let x = offset1;
      x += o0 * -s;
      x += o1 * c;
      if (y < 0 || y > h - 1 || x < 0 || x > w - 1) continue;
      visit(o0 * w + o1, y, x);
    }
  }
}
