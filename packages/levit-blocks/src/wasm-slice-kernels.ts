import { backend_util, slice_util, util, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { HeapArray, WasmBackendLike } from './wasm-backend-like.js';

/**
 * Copies the box begin…begin+size of a row-major array into `out`, one set() per contiguous run: the
 * trailing axes taken whole plus the first partial one form a run; the axes before it are walked.
 */
export function copyBox(source: HeapArray, shape: readonly number[], begin: readonly number[], size: readonly number[], out: HeapArray): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = source[0]!;
    return;
  }
  const strides = [...util.computeStrides(shape as number[]), 1];
  let axis = rank - 1;
  while (axis > 0 && size[axis] === shape[axis]) axis--;
  const run = size[axis]! * strides[axis]!;
  const index = new Array<number>(axis).fill(0);
  const count = util.sizeFromShape(size as number[]);
  for (let written = 0; written < count; written += run) {
    let offset = begin[axis]! * strides[axis]!;
    for (let i = 0; i < axis; i++) offset += (begin[i]! + index[i]!) * strides[i]!;
    out.set(source.subarray(offset, offset + run), written);
    for (let i = axis - 1; i >= 0; i--) {
      if (++index[i]! < size[i]!) break;
      index[i] = 0;
    }
  }
}

/**
 * tfjs-backend-wasm's Slice (and SplitV, which calls it) first copies the WHOLE input out of the heap
 * (`readSync`) and then the slice from that copy: a 4 MB slice of a 160 MB tensor took 0.5 s. These read
 * the heap in place. The output is allocated first: growing the heap detaches earlier views.
 */
function sliceInfo(x: TensorInfo, begin: number[], size: number[], backend: WasmBackendLike): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  copyBox(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  return out;
}

/** A kernel over heap views for every dtype but strings, which wasm keeps outside the heap: those go to `fallback`. */
function heapKernel(fallback: KernelFunc, run: (x: TensorInfo, attrs: NamedAttrMap, backend: WasmBackendLike) => TensorInfo | TensorInfo[]): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    return x.dtype === 'string' ? fallback(args) : run(x, args.attrs ?? {}, args.backend as unknown as WasmBackendLike);
  };
}

/** Slice for wasm over heap views (`fallback`: tfjs's own kernel, for strings). */
export function wasmSlice(fallback: KernelFunc): KernelFunc {
  return heapKernel(fallback, (x, attrs, backend) => {
    const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [begin_, size_] = slice_util.parseSliceParams(x, begin, size);
    return sliceInfo(x, begin_, size_, backend);
  });
}

/** SplitV for wasm: one in-place heap slice per part (`fallback`: tfjs's own kernel, for strings). */
export function wasmSplitV(fallback: KernelFunc): KernelFunc {
  return heapKernel(fallback, (x, attrs, backend) => {
    const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number | number[] };
    const splitAxis = util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, splitAxis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((part) => {
      const size = [...x.shape];
      size[splitAxis] = part;
      const out = sliceInfo(x, [...begin], size, backend);
      begin[splitAxis]! += part;
      return out;
    });
  });
}
