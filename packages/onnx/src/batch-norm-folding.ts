/** An inference BatchNorm as y = x·scale + shift per channel, in float64 so folding adds no rounding of its own. */
export interface ScaleShift {
  scale: Float64Array;
  shift: Float64Array;
}

/** scale = γ / √(var + ε), shift = β − mean·scale (γ = 1, β = 0 where a BatchNorm has none). */
export function batchNormScaleShift(
  mean: Float32Array,
  variance: Float32Array,
  epsilon: number,
  gamma?: Float32Array,
  beta?: Float32Array,
): ScaleShift {
  const channels = mean.length;
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon);
    shift[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
  }
  return { scale, shift };
}

/** A tfjs HWIO convolution kernel as ONNX OIHW, each output channel o multiplied by scale[o]. */
export function hwioToOihw(kernel: Float32Array, shape: number[], scale?: Float64Array): Float32Array {
  const [kh, kw, ci, co] = shape;
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < ci; i++) {
        const row = ((y * kw + x) * ci + i) * co;
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = scale ? kernel[row + o] * scale[o] : kernel[row + o];
      }
    }
  }
  return out;
}

/** A copy of an [in, out] matrix with column o multiplied by scale[o]. */
export function scaleColumns(matrix: Float32Array, columns: number, scale: ArrayLike<number>): Float32Array {
  const out = new Float32Array(matrix.length);
  for (let k = 0; k < matrix.length; k++) out[k] = matrix[k] * scale[k % columns];
  return out;
}

/** (bias ?? 0)·scale + shift: the bias of a layer whose output then goes through the BatchNorm. */
export function foldedBias({ scale, shift }: ScaleShift, bias?: ArrayLike<number>): Float32Array {
  return Float32Array.from(shift, (t, c) => (bias ? bias[c] : 0) * scale[c] + t);
}
