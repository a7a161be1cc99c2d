/** Offsets between query and key grid positions, numbered as the official LeViT code numbers them. */
export interface AttentionBiasIndex {
  /** (numQueries × numKeys) indices into the per-head bias table, row-major. */
  idxs: Int32Array;
  numQueries: number;
  numKeys: number;
  /** Number of distinct offsets: the width of `attention_biases` (numHeads × numOffsets). */
  numOffsets: number;
}

/** Side of the query grid a stride-`stride` subsample keeps: (resolution − 1) // stride + 1 (official). */
export function subsampledResolution(resolution: number, stride: number): number {
  return Math.floor((resolution - 1) / stride) + 1;
}

/**
 * LeViT's `attention_bias_idxs`. Queries sit at (qy·stride, qx·stride) on the key grid; for every
 * query (row-major) and every key (row-major) the offset (|qy·stride − ky|, |qx·stride − kx|) gets the
 * next free number on its first appearance (Python dict insertion order in the official code).
 * stride 1 is `Attention`, stride 2 `AttentionSubsample`.
 */
export function attentionBiasIndex(resolution: number, stride = 1): AttentionBiasIndex {
  if (!Number.isInteger(resolution) || resolution < 1) {
    throw new Error(`attention resolution must be a positive integer, got ${resolution}`);
  }
  const queryResolution = stride === 1 ? resolution : subsampledResolution(resolution, stride);
  const numQueries = queryResolution * queryResolution;
  const numKeys = resolution * resolution;
  const idxs = new Int32Array(numQueries * numKeys);
  // An offset (dy, dx) has dy, dx < resolution·stride: a dense table replaces the dict.
  const span = resolution * stride;
  const offsetNumber = new Int32Array(span * span).fill(-1);
  let numOffsets = 0;
  let i = 0;
  for (let qy = 0; qy < queryResolution; qy++) {
    for (let qx = 0; qx < queryResolution; qx++) {
      for (let ky = 0; ky < resolution; ky++) {
        for (let kx = 0; kx < resolution; kx++) {
          const key = Math.abs(qy * stride - ky) * span + Math.abs(qx * stride - kx);
          if (offsetNumber[key] < 0) offsetNumber[key] = numOffsets++;
          idxs[i++] = offsetNumber[key];
        }
      }
    }
  }
  return { idxs, numQueries, numKeys, numOffsets };
}
