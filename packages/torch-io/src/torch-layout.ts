/**
 * How a weight's tfjs layout relates to its PyTorch layout: convolution kernels are HWIO in tfjs and
 * OIHW in PyTorch, linear kernels [in, out] vs [out, in]; everything else (BN vectors, attention bias
 * tables, biases) is stored the same way.
 */
export type WeightLayout = 'conv' | 'linear' | 'same';

/** The layout of a weight from its PyTorch suffix and rank. */
export function weightLayout(suffix: string, rank: number): WeightLayout {
  if (rank === 4) return 'conv';
  if (rank === 2 && !suffix.endsWith('attention_biases')) return 'linear';
  return 'same';
}

/** The PyTorch shape of a tfjs weight of shape `tfShape` in `layout` (conv HWIO → OIHW, linear IO → OI). */
export function torchShapeOf(tfShape: readonly number[], layout: WeightLayout): number[] {
  if (layout === 'conv') return [tfShape[3], tfShape[2], tfShape[0], tfShape[1]];
  if (layout === 'linear') return [tfShape[1], tfShape[0]];
  return [...tfShape];
}

/** Permutes C-order data: out[i₀…] with out axes = in axes permuted by `perm` (out axis k = in axis perm[k]). */
function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let k = rank - 1; k >= 0; k--) {
    inStrides[k] = s;
    s *= shape[k];
  }
  const strideOfOut = perm.map((p) => inStrides[p]);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = data[src];
    // Odometer over the output index, moving the source offset by the permuted strides.
    for (let k = rank - 1; k >= 0; k--) {
      index[k]++;
      src += strideOfOut[k];
      if (index[k] < outShape[k]) break;
      src -= strideOfOut[k] * outShape[k];
      index[k] = 0;
    }
  }
  return out;
}

/** tfjs layout → PyTorch layout. */
export function toTorchLayout(data: Float32Array, tfShape: readonly number[], layout: WeightLayout): Float32Array {
  if (layout === 'conv') return permute(data, tfShape, [3, 2, 0, 1]);
  if (layout === 'linear') return permute(data, tfShape, [1, 0]);
  return data;
}

/** PyTorch layout → tfjs layout. */
export function fromTorchLayout(data: Float32Array, torchShape: readonly number[], layout: WeightLayout): Float32Array {
  if (layout === 'conv') return permute(data, torchShape, [2, 3, 1, 0]);
  if (layout === 'linear') return permute(data, torchShape, [1, 0]);
  return data;
}
