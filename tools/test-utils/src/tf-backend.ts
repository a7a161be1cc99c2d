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
