/**
 * Seconds per training step (forward + backward + Adam update, softmax cross-entropy) at 224×224 on the
 * chosen backend, with the wasm training kernels of levit-blocks. Also checks the tensor count is stable.
 * `pnpm --filter @levit-unet/levit-unet bench:train-step [-- --variants 128s --batch 8 --steps 3]`
 */
import * as tf from '@tensorflow/tfjs-core';
import { createLeViTUNet, type LeViTUNetVariant } from '../src/index.js';
import { initBackend } from '../src/node/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const { backend } = await initBackend(arg('backend', 'wasm'));
const batch = Number(arg('batch', '8'));
const steps = Number(arg('steps', '3'));
for (const variant of arg('variants', '128s').split(',') as LeViTUNetVariant[]) {
  const model = createLeViTUNet({ variant, numClasses: 9 });
  const optimizer = tf.train.adam(1e-4);
  const x = tf.randomUniform([batch, 224, 224, 1]);
  const y = tf.oneHot(tf.randomUniform([batch, 224, 224], 0, 9, 'int32'), 9);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const times: number[] = [];
  let tensorsAfterFirst = 0;
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, vars);
    await loss!.data();
    loss!.dispose();
    times.push(performance.now() - t0);
    if (s === 0) tensorsAfterFirst = tf.memory().numTensors;
  }
  const row = {
    variant,
    backend,
    batch,
    secondsPerStep: +(Math.min(...times.slice(1).length ? times.slice(1) : times) / 1000).toFixed(2),
    allSeconds: times.map((t) => +(t / 1000).toFixed(2)),
    tensorLeakPerStep: steps > 1 ? (tf.memory().numTensors - tensorsAfterFirst) / (steps - 1) : null,
  };
  console.log(JSON.stringify(row));
  model.dispose();
  optimizer.dispose();
}
