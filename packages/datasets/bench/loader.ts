/**
 * Loader throughput: augmented 512x512 -> 224x224 training slices per second through `synapseBatches`
 * (npz read + inflate + checks + TransUNet augmentation + cubic resize + batching), on a synthetic
 * Synapse dataset written to a temporary folder (removed afterwards).
 *
 *   pnpm --filter @levit-unet/datasets bench [-- --slices 240 --batch 24 --workers 2]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

// The built package (`pnpm bench` builds first): worker threads run its compiled files. Types come from
// the sources so that typechecking needs no build.
const built = '../dist/node/index.js';
const { synapseBatches, writeSyntheticSynapse } = (await import(built)) as typeof import('../src/node/index.js');

const { values } = parseArgs({
  options: {
    slices: { type: 'string', default: '240' },
    batch: { type: 'string', default: '24' },
    workers: { type: 'string' },
    size: { type: 'string', default: '512' },
  },
});
const slices = Number(values.slices);
const batchSize = Number(values.batch);
const size = Number(values.size);
const workerCounts = values.workers !== undefined ? [Number(values.workers)] : [0, 1, availableParallelism()];

const dir = await mkdtemp(join(tmpdir(), 'levit-loader-bench-'));
try {
  const perCase = Math.ceil(slices / 2);
  let t = performance.now();
  await writeSyntheticSynapse(join(dir, 'synapse'), { trainCases: 2, testCases: 0, shape: [perCase, size, size], seed: 1 });
  console.log(`wrote ${2 * perCase} synthetic ${size}x${size} slices in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  for (const workers of workerCounts) {
    t = performance.now();
    const cpu = process.cpuUsage();
    let count = 0;
    let firstBatchMs = 0;
    for await (const batch of synapseBatches(join(dir, 'synapse'), { batchSize, seed: 0, workers, dropLast: false })) {
      if (count === 0) firstBatchMs = performance.now() - t;
      count += batch.imageShape[0];
    }
    const seconds = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    console.log(
      `workers=${workers}: ${count} augmented slices in ${seconds.toFixed(2)} s = ${(count / seconds).toFixed(1)} slices/s, ` +
        `${(count / cpuSeconds).toFixed(1)} per CPU-second, cores busy ${(cpuSeconds / seconds).toFixed(2)} ` +
        `(first batch after ${firstBatchMs.toFixed(0)} ms, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB)`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
