/**
 * The train-128s fidelity measures (two TransUNet steps of the official LeViT-UNet-128s vs the float64
 * PyTorch reference) on a chosen backend, printed as JSON. The cpu backend accumulates reductions in
 * float64 (JS numbers) and shows what the recipe gives without wasm's float32 sums; it is slow
 * (≈ 100 s per forward at batch 2).
 * `pnpm --filter @levit-unet/training bench:fidelity [-- --backend cpu --optimizer adam]`
 */
import { sharedPath } from '@levit-unet/test-utils';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { runFidelity } from '../test/fidelity-run.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const dir = sharedPath('fixtures/official/train-128s');
if (!dir) process.exit(0);
const tf = await useTfBackend(registerWasmTrainingKernels, arg('backend', 'wasm'));
for (const name of arg('optimizer', 'adam,sgd').split(',')) {
  const t0 = performance.now();
  const measures =
    name === 'adam'
      ? await runFidelity(tf, dir, 'adam', { name: 'adam', weightDecay: 1e-4 }, 1e-4)
      : await runFidelity(tf, dir, 'sgd', { name: 'sgd', momentum: 0.9, weightDecay: 1e-4 }, 1e-3);
  console.log(JSON.stringify({ backend: tf.getBackend(), optimizer: name, seconds: +((performance.now() - t0) / 1000).toFixed(1), ...measures }));
}
