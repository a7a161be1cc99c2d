/**
 * Training-step time of LeViT-UNet on onnxruntime for each gradient formulation (see
 * `GradientFormulations`), interleaved round by round so that a machine's drift hits all alike.
 *
 *   pnpm --filter @levit-unet/onnx bench:train-formulations [-- --variant 128s --batch 8 --threads 2 --rounds 3]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { createLeViTUNet, type LeViTUNetVariant } from '@levit-unet/levit-unet';
import type { GradientFormulations } from '../src/index.js';
import { createOnnxRuntimeTrainer } from '../src/node/index.js';

const { values } = parseArgs({ options: { variant: { type: 'string', default: '128s' }, batch: { type: 'string', default: '8' }, threads: { type: 'string', default: '2' }, rounds: { type: 'string', default: '3' } } });
await tf.setBackend('cpu');
const batch = Number(values.batch);
const size = 224;
const candidates: GradientFormulations[] = [
  { convFilter: 'matmul', convInput: 'conv', batchNorm: 'fused' },
  { convFilter: 'matmul', convInput: 'conv', batchNorm: 'elementwise' },
  { convFilter: 'matmul', convInput: 'convtranspose', batchNorm: 'fused' },
  { convFilter: 'conv', convInput: 'conv', batchNorm: 'fused' },
];
let s = 1;
const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const images = Float32Array.from({ length: batch * size * size }, random);
const labels = Int32Array.from({ length: batch * size * size }, () => Math.floor(random() * 9));
const model = createLeViTUNet({ variant: values.variant as LeViTUNetVariant, numClasses: 9 });
const times = candidates.map(() => [] as number[]);
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [k, formulations] of candidates.entries()) {
    const trainer = await createOnnxRuntimeTrainer(model, { batchSize: batch, optimizer: { name: 'adam', weightDecay: 1e-4 }, threads: Number(values.threads), formulations });
    await trainer.step({ images, labels, labelShape: [batch, size, size] }, 1e-5); // warm-up
    const t0 = performance.now();
    await trainer.step({ images, labels, labelShape: [batch, size, size] }, 1e-5);
    times[k]!.push((performance.now() - t0) / 1000);
    await trainer.dispose();
  }
}
console.log(`LeViT-UNet-${values.variant}, batch ${batch}, ${values.threads} threads, ${values.rounds} rounds (${new Date().toISOString()})`);
console.log('| conv filter gradient | conv input gradient (stride 1) | BatchNorm gradient | step s, per round |\n|---|---|---|---|');
candidates.forEach((c, k) => console.log(`| ${c.convFilter} | ${c.convInput} | ${c.batchNorm} | ${times[k]!.map((t) => t.toFixed(2)).join(', ')} |`));
