import type { TypedArray } from '../volume.js';

/** TransUNet's CT window in HU: clip to [-125, 275], then scale to [0, 1]. */
export const TRANSUNET_CT_WINDOW: readonly [number, number] = [-125, 275];

/** Clips to `[low, high]` and scales linearly to [0, 1]. */
export function windowIntensities(data: TypedArray, window: readonly [number, number] = TRANSUNET_CT_WINDOW): Float32Array {
  const [low, high] = window;
  if (!(high > low)) throw new Error(`window [${low}, ${high}] is empty`);
  const out = new Float32Array(data.length);
  const scale = 1 / (high - low);
  for (let i = 0; i < data.length; i++) out[i] = (Math.min(high, Math.max(low, data[i]!)) - low) * scale;
  return out;
}

/** At most this many voxels are sorted to estimate the percentiles (an even stride through the volume). */
const PERCENTILE_SAMPLES = 1 << 20;

/**
 * Per-volume MRI normalisation (MRI has no absolute intensity scale, so no fixed window exists): clip to
 * the volume's 0.5th and 99.5th percentiles, then scale to [0, 1] — the same output range as the CT window.
 * Percentiles are estimated from at most 2^20 voxels taken at a fixed stride (deterministic).
 */
export function normalizeMri(data: TypedArray, percentiles: readonly [number, number] = [0.5, 99.5]): Float32Array {
  const stride = Math.max(1, Math.ceil(data.length / PERCENTILE_SAMPLES));
  const sample = new Float64Array(Math.ceil(data.length / stride));
  for (let i = 0, n = 0; i < data.length; i += stride, n++) sample[n] = data[i]!;
  sample.sort();
  const at = (p: number) => sample[Math.min(sample.length - 1, Math.max(0, Math.round((p / 100) * (sample.length - 1))))]!;
  const low = at(percentiles[0]);
  const high = at(percentiles[1]);
  if (!(high > low)) return new Float32Array(data.length);
  return windowIntensities(data, [low, high]);
}
