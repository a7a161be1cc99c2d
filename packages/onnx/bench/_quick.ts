import * as tf from '@tensorflow/tfjs';
import { createLeViTUNet } from '@levit-unet/levit-unet';
import { buildTrainingGraph } from '../src/index.js';
import { createOnnxRuntimeTrainer } from '../src/node/index.js';
await tf.setBackend('cpu');
const B = Number(process.argv[2] ?? 2);
const model = createLeViTUNet({ variant: '128s', numClasses: 9 });
let t0 = Date.now();
const g = buildTrainingGraph(model, { batchSize: B, optimizer: { name: 'adam', weightDecay: 1e-4 } });
console.log('graph', Date.now() - t0, 'ms', g.bytes.length / 1e6, 'MB', JSON.stringify(g.opCounts));
t0 = Date.now();
const trainer = await createOnnxRuntimeTrainer(model, { batchSize: B, optimizer: { name: 'adam', weightDecay: 1e-4 }, threads: 2 });
console.log('session', Date.now() - t0);
const images = Float32Array.from({ length: B * 224 * 224 }, () => Math.random());
const labels = Int32Array.from({ length: B * 224 * 224 }, (_, i) => (i % 224 > 100 ? 1 : 0) + (i % 7 === 0 ? 2 : 0));
for (let s = 0; s < 3; s++) {
  t0 = Date.now();
  const r = await trainer.step({ images, labels, labelShape: [B, 224, 224] }, 1e-4);
  console.log('step', s, Date.now() - t0, 'ms', r.loss, r.ce, r.dice, 'rss', process.memoryUsage().rss / 1e6);
}
