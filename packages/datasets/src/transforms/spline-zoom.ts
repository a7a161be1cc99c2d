import { shapeSize } from '../io/dtype.js';
import { castLike, firstTap, mirrorIndex, splineFilterAxis, splineWeights, type SplineOrder } from './spline-filter.js';
import type { NdArray, TypedArray } from '../volume.js';

/** Options of `zoom` (scipy.ndimage.zoom's `order` and `prefilter`). */
export interface ZoomOptions {
  /** Spline order as in scipy (default 3, cubic B-spline). */
  order?: SplineOrder;
  /** Apply the B-spline prefilter for orders > 1 (default true, as scipy). */
  prefilter?: boolean;
}

/** Python's `round()` (half to even), which scipy uses for the output shape. */
function pythonRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The output shape of `zoom(input, factors)`: `round(in * factor)` per axis (Python rounding). */
export function zoomShape(shape: readonly number[], factors: number | readonly number[]): number[] {
  return shape.map((n, axis) => pythonRound(n * (typeof factors === 'number' ? factors : factors[axis]!)));
}

interface AxisPlan {
  outLength: number;
  taps: Int32Array;
  weights: Float64Array;
  outside: Uint8Array;
}

// One axis of NI_ZoomShift with grid_mode=False, mode='constant', cval=0: output index k samples input
// coordinate k * (in-1)/(out-1); a coordinate beyond [0, in-1] gives cval; taps past the edge are mirrored.
function planAxis(inLength: number, outLength: number, order: SplineOrder): AxisPlan {
  const zoom = outLength > 1 ? (inLength - 1) / (outLength - 1) : 1;
  const width = order + 1;
  const taps = new Int32Array(outLength * width);
  const weights = new Float64Array(outLength * width);
  const outside = new Uint8Array(outLength);
  const w = new Float64Array(width);
  for (let k = 0; k < outLength; k++) {
    const cc = k * zoom;
    if (cc < 0 || cc > inLength - 1) {
      outside[k] = 1;
      continue;
    }
    const start = firstTap(cc, order);
    splineWeights(cc, order, w);
    for (let t = 0; t < width; t++) {
      taps[k * width + t] = mirrorIndex(start + t, inLength);
      weights[k * width + t] = w[t]!;
    }
  }
  return { outLength, taps, weights, outside };
}

function resampleAxis(data: Float64Array, shape: number[], axis: number, plan: AxisPlan, order: SplineOrder): Float64Array {
  const n = shape[axis]!;
  const inner = shapeSize(shape.slice(axis + 1));
  const outer = shapeSize(shape.slice(0, axis));
  const width = order + 1;
  const { taps, weights, outside, outLength } = plan;
  const out = new Float64Array(outer * outLength * inner);
  for (let o = 0; o < outer; o++) {
    const inBase = o * n * inner;
    for (let k = 0; k < outLength; k++) {
      if (outside[k]) continue;
      const outBase = (o * outLength + k) * inner;
      if (inner === 1) {
        // Last axis: one dot product per output (the common case, kept free of the inner loop).
        let sum = 0;
        for (let t = 0; t < width; t++) sum += weights[k * width + t]! * data[inBase + taps[k * width + t]!]!;
        out[outBase] = sum;
        continue;
      }
      for (let t = 0; t < width; t++) {
        const weight = weights[k * width + t]!;
        const src = inBase + taps[k * width + t]! * inner;
        for (let i = 0; i < inner; i++) out[outBase + i] += weight * data[src + i]!;
      }
    }
  }
  return out;
}

/**
 * `scipy.ndimage.zoom(input, factors, order=order)` with scipy's defaults (mode='constant', cval=0,
 * grid_mode=False, prefilter=True): output shape `round(in * factor)`, output index `k` samples input
 * coordinate `k * (in - 1) / (out - 1)`, B-spline prefilter with mirror boundaries for order > 1, result
 * in the input's dtype (integers rounded half away from zero, as scipy). The spline is evaluated one
 * axis at a time (it is separable), so float64 results differ from scipy's only by rounding (~1e-15
 * relative); order 0 is exact.
 */
export function zoom<T extends TypedArray>(array: NdArray<T>, factors: number | readonly number[], options: ZoomOptions = {}): NdArray<T> {
  const outShape = zoomShape(array.shape, factors);
  return resampleTo(array, outShape, options);
}

/**
 * Zooms to an exact output shape, with the factors `out / in` that TransUNet passes to scipy
 * (`zoom(image, (224 / x, 224 / y), order=3)`); same sampling as `zoom`.
 */
export function resize<T extends TypedArray>(array: NdArray<T>, outShape: readonly number[], options: ZoomOptions = {}): NdArray<T> {
  if (outShape.length !== array.shape.length) {
    throw new Error(`resize: output rank ${outShape.length} differs from input rank ${array.shape.length}`);
  }
  return resampleTo(array, [...outShape], options);
}

function resampleTo<T extends TypedArray>(array: NdArray<T>, outShape: number[], options: ZoomOptions): NdArray<T> {
  const order = options.order ?? 3;
  if (shapeSize(array.shape) !== array.data.length) {
    throw new Error(`zoom: shape [${array.shape.join(', ')}] does not hold ${array.data.length} values`);
  }
  if (order === 0) return nearestTo(array, outShape);
  const prefilter = order > 1 && options.prefilter !== false;
  let values: Float64Array = new Float64Array(array.data.length);
  values.set(array.data);
  const shape = [...array.shape];
  // Prefiltering along one axis and interpolating along another commute (separable linear operators), so
  // each axis is filtered just before it is resampled, shrinking axes first: the later filters then run
  // on the smaller array. Same result as scipy's filter-everything-then-interpolate up to rounding.
  const axes = shape.map((_, axis) => axis).sort((a, b) => outShape[a]! / shape[a]! - outShape[b]! / shape[b]!);
  for (const axis of axes) {
    if (shape[axis] === outShape[axis] && order <= 1) continue;
    if (prefilter) splineFilterAxis(values, shape, axis, order);
    values = resampleAxis(values, shape, axis, planAxis(shape[axis]!, outShape[axis]!, order), order);
    shape[axis] = outShape[axis]!;
  }
  return { data: castLike(values, array.data) as T, shape };
}

// Order 0 gathers values in the input's own type (no float64 round trip): index k of an axis takes input
// index floor(k * (in-1)/(out-1) + 0.5), exactly what the spline path computes for order 0.
function nearestTo<T extends TypedArray>(array: NdArray<T>, outShape: number[]): NdArray<T> {
  let data = array.data;
  const shape = [...array.shape];
  for (let axis = 0; axis < shape.length; axis++) {
    if (shape[axis] === outShape[axis]) continue;
    const plan = planAxis(shape[axis]!, outShape[axis]!, 0);
    const inner = shapeSize(shape.slice(axis + 1));
    const outer = shapeSize(shape.slice(0, axis));
    const n = shape[axis]!;
    const out = new (data.constructor as new (length: number) => T)(outer * plan.outLength * inner);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < plan.outLength; k++) {
        if (plan.outside[k]) continue;
        const src = (o * n + plan.taps[k]!) * inner;
        const dst = (o * plan.outLength + k) * inner;
        if (inner === 1) out[dst] = data[src]!;
        else out.set(data.subarray(src, src + inner), dst);
      }
    }
    data = out;
    shape[axis] = outShape[axis]!;
  }
  return { data: data === array.data ? (data.slice() as T) : data, shape };
}
