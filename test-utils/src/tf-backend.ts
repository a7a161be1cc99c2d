import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/**
 * Puts tests on a tfjs backend: `LEVIT_TEST_BACKEND` or wasm by default. The umbrella import registers
 * the gradients; `registerKernels` (levit-blocks' `registerWasmTrainingKernels`) adds what wasm lacks for
 * training. Returns the tfjs namespace the tests should use.
 */
export async function useTfBackend(registerKernels?: () => void, backend = process.env.LEVIT_TEST_BACKEND ?? 'wasm'): Promise<typeof tf> {
  registerKernels?.();
  if (tf.getBackend() !== backend) {
    const ok = await tf.setBackend(backend);
    if (!ok) throw new Error(`tfjs backend "${backend}" could not be initialised`);
  }
  await tf.ready();
  return tf;
}

/** Max |a − b| over two equally shaped arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** A small deterministic PRNG (mulberry32) for test data. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
