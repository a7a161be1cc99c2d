import * as tf from '@tensorflow/tfjs-core';
import { backend_util, getKernel, registerKernel, unregisterKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dFilterGradient } from './conv2d-filter-gradient.js';
import { conv2dWithPadding } from './conv-padding.js';
import type { WasmBackendLike } from './wasm-backend-like.js';
import { wasmSlice, wasmSplitV } from './wasm-slice-kernels.js';

/**
 * A kernel input as a Tensor without copying: one more reference to the same backend data, released
 * when the tensor is disposed (what `engine.incRef` does for variables).
 */
function borrow(info: TensorInfo, backend: WasmBackendLike): tf.Tensor {
  const tensor = tf.engine().makeTensorFromTensorInfo(info);
  backend.incRef(info.dataId);
  return tensor;
}

/** Hands a tensor's data to the engine as the kernel's output (keeps the data, drops the wrapper). */
function release(tensor: tf.Tensor, backend: WasmBackendLike): TensorInfo {
  backend.incRef(tensor.dataId);
  const info = { dataId: tensor.dataId, shape: tensor.shape, dtype: tensor.dtype };
  tensor.dispose();
  return info;
}

/** The attributes both convolution-gradient kernels receive, and the geometry they describe. */
interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function convGradInfo(
  kernelName: string,
  attrs: ConvGradAttrs,
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
): backend_util.Conv2DInfo {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`${kernelName} on wasm supports NHWC only, got ${attrs.dataFormat}`);
  return backend_util.computeConv2DInfo(inputShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}

/** dW as threaded XNNPACK convolutions (conv2dFilterGradient), for every stride and padding. */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const convAttrs = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
  const { filterShape } = convAttrs;
  const wasm = backend as unknown as WasmBackendLike;
  const { padInfo, strideHeight, strideWidth } = convGradInfo('Conv2DBackpropFilter', convAttrs, x.shape as [number, number, number, number], filterShape);
  const input = borrow(x, wasm) as tf.Tensor4D;
  const gradOut = borrow(dy, wasm) as tf.Tensor4D;
  try {
    return release(conv2dFilterGradient(input, gradOut, filterShape, padInfo, [strideHeight, strideWidth]), wasm);
  } finally {
    tf.dispose([input, gradOut]);
  }
};

/** Inserts stride − 1 zeros between the rows and columns of an NHWC map: (H, W) → ((H − 1)·s + 1, (W − 1)·s + 1). */
function dilateSpatial(x: tf.Tensor4D, strideHeight: number, strideWidth: number): tf.Tensor4D {
  if (strideHeight === 1 && strideWidth === 1) return x;
  const [b, h, w, c] = x.shape;
  const spread = tf.pad(tf.reshape(x, [b, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, strideHeight - 1],
    [0, 0],
    [0, strideWidth - 1],
    [0, 0],
  ]);
  const full = tf.reshape(spread, [b, h * strideHeight, w * strideWidth, c]);
  return tf.slice(full, [0, 0, 0, 0], [b, (h - 1) * strideHeight + 1, (w - 1) * strideWidth + 1, c]) as tf.Tensor4D;
}

/**
 * W [kh, kw, in, out] rotated by 180° with its channel axes swapped: [kh, kw, out, in]. The taps are
 * reversed by block copies in JS: wasm's Reverse is a per-element loop (~0.4 s for a 3×3×896×512
 * filter, ~30 ms this way).
 */
function rotatedSwappedFilter(weights: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, inChannels, outChannels] = weights.shape;
  const taps = kh * kw;
  const block = inChannels * outChannels;
  const swapped = tf.tidy(() => tf.transpose(tf.reshape(weights, [taps, inChannels, outChannels]), [0, 2, 1]));
  const values = swapped.dataSync() as Float32Array;
  swapped.dispose();
  const rotated = new Float32Array(values.length);
  for (let t = 0; t < taps; t++) rotated.set(values.subarray((taps - 1 - t) * block, (taps - t) * block), t * block);
  return tf.tensor4d(rotated, [kh, kw, outChannels, inChannels]);
}

/**
 * dX = full correlation of dY (dilated by the stride) with the filter rotated by 180° and its channel
 * axes swapped — a plain stride-1 Conv2D, which wasm runs with XNNPACK; its own Conv2DBackpropInput is
 * about 10× slower than the forward convolution.
 */
const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const convAttrs = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
  const { inputShape, pad } = convAttrs;
  const wasm = backend as unknown as WasmBackendLike;
  const info = convGradInfo('Conv2DBackpropInput', convAttrs, inputShape, filter.shape as [number, number, number, number]);
  const { padInfo, strideHeight, strideWidth, filterHeight, filterWidth, inHeight, inWidth } = info;
  const gradOut = borrow(dy, wasm) as tf.Tensor4D;
  const weights = borrow(filter, wasm) as tf.Tensor4D;
  const result = tf.tidy(() => {
    const dilated = dilateSpatial(gradOut, strideHeight, strideWidth);
    const flipped = rotatedSwappedFilter(weights);
    const top = filterHeight - 1 - padInfo.top;
    const left = filterWidth - 1 - padInfo.left;
    const bottom = inHeight + filterHeight - 1 - dilated.shape[1] - top;
    const right = inWidth + filterWidth - 1 - dilated.shape[2] - left;
    // A negative side (forward padding wider than the kernel) is a crop of the input.
    return conv2dWithPadding(dilated, flipped, { top, bottom, left, right });
  });
  tf.dispose([gradOut, weights]);
  if (result.shape[1] !== inHeight || result.shape[2] !== inWidth) {
    result.dispose();
    throw new Error(`Conv2DBackpropInput on wasm: unsupported padding ${JSON.stringify(pad)} for input [${inputShape}]`);
  }
  return release(result, wasm);
};

/** TF semantics: out[s] = Σ_{i: ids[i] = s} x[i]; ids outside [0, numSegments) are dropped. */
const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const wasm = backend as unknown as WasmBackendLike;
  const values = wasm.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = wasm.readSync(segmentIds.dataId) as Int32Array;
  const inner = ids.length === 0 ? 0 : values.length / ids.length;
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i];
    if (segment < 0 || segment >= numSegments) continue;
    const src = i * inner;
    const dst = segment * inner;
    for (let j = 0; j < inner; j++) out[dst + j] += values[src + j];
  }
  const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  return wasm.makeOutput(shape, x.dtype, undefined, out);
};

/** Kernels registered here, so that a second registration finds them and leaves them alone. */
const ours = new WeakSet<KernelFunc>();

/**
 * tfjs-backend-wasm has no `Conv2DBackpropFilter` (the weight gradient of every convolution) and no
 * `UnsortedSegmentSum` (the gradient of gather, which the attention biases need), so it cannot train;
 * its `Conv2DBackpropInput` is a slow direct loop, and its Slice and SplitV copy the whole input for
 * every slice. This registers all five for the 'wasm' backend; idempotent, and harmless when wasm is
 * never used.
 */
export function registerWasmTrainingKernels(): void {
  const kernels: Array<[string, (current: KernelFunc | undefined) => KernelFunc | null]> = [
    ['Conv2DBackpropFilter', () => conv2DBackpropFilter],
    ['Conv2DBackpropInput', () => conv2DBackpropInput],
    ['UnsortedSegmentSum', () => unsortedSegmentSum],
    // Wrappers of wasm's own kernel (kept for strings): nothing to wrap before wasm is imported.
    ['Slice', (current) => (current ? wasmSlice(current) : null)],
    ['SplitV', (current) => (current ? wasmSplitV(current) : null)],
  ];
  for (const [kernelName, make] of kernels) {
    const current = getKernel(kernelName, 'wasm')?.kernelFunc as KernelFunc | undefined; // undefined when not registered
    if (current && ours.has(current)) continue;
    const kernelFunc = make(current);
    if (!kernelFunc) continue;
    ours.add(kernelFunc);
    // wasm's own Conv2DBackpropInput, Slice and SplitV are replaced by the faster ones.
    if (current) unregisterKernel(kernelName, 'wasm');
    registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
