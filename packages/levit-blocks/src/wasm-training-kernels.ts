import * as tf from '@tensorflow/tfjs-core';
import { backend_util, getKernel, registerKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

/** The two methods of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackendLike {
  readSync(dataId: object): backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: backend_util.BackendValues): TensorInfo;
}

/**
 * dW[i, j, :, :] = Σ_{b, y, x} X_pad[b, y·s + i, x·s + j, :]ᵀ · dY[b, y, x, :] — one matrix product per
 * filter tap, each on the wasm backend's (XNNPACK) BatchMatMul, so no im2col buffer of kh·kw copies.
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}`);
  const wasm = backend as unknown as WasmBackendLike;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { padInfo, strideHeight, strideWidth, outHeight, outWidth, filterHeight, filterWidth } = info;
  const xValues = wasm.readSync(x.dataId) as Float32Array;
  const dyValues = wasm.readSync(dy.dataId) as Float32Array;
  const result = tf.tidy(() => {
    const positions = info.batchSize * outHeight * outWidth;
    const gradOut = tf.tensor2d(dyValues, [positions, info.outChannels]);
    const padded = tf.pad(tf.tensor4d(xValues, x.shape as [number, number, number, number]), [
      [0, 0],
      [padInfo.top, padInfo.bottom],
      [padInfo.left, padInfo.right],
      [0, 0],
    ]);
    const taps: tf.Tensor2D[] = [];
    for (let i = 0; i < filterHeight; i++) {
      for (let j = 0; j < filterWidth; j++) {
        const window = tf.stridedSlice(
          padded,
          [0, i, j, 0],
          [info.batchSize, i + (outHeight - 1) * strideHeight + 1, j + (outWidth - 1) * strideWidth + 1, info.inChannels],
          [1, strideHeight, strideWidth, 1],
        );
        taps.push(tf.matMul(tf.reshape(window, [positions, info.inChannels]), gradOut, true, false));
      }
    }
    return tf.reshape(tf.stack(taps), filterShape);
  });
  const values = result.dataSync();
  result.dispose();
  return wasm.makeOutput(filterShape, 'float32', undefined, values);
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

/**
 * tfjs-backend-wasm has no `Conv2DBackpropFilter` (the weight gradient of every convolution) and no
 * `UnsortedSegmentSum` (the gradient of gather, which the attention biases need), so it cannot train.
 * This registers both for the 'wasm' backend; idempotent, and harmless when wasm is never used.
 */
export function registerWasmTrainingKernels(): void {
  const kernels: Array<[string, KernelFunc]> = [
    ['Conv2DBackpropFilter', conv2DBackpropFilter],
    ['UnsortedSegmentSum', unsortedSegmentSum],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (getKernel(kernelName, 'wasm') == null) registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
