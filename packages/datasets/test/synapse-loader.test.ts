import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
// Worker threads run compiled JavaScript, so this file tests the built package (`pnpm build` first;
// turbo's test task depends on build). Types come from the sources, so typechecking needs no build.
const built = '../dist/node/index.js';
const { synapseBatches, writeSyntheticSynapse } = (await import(built)) as typeof import('../src/node/index.js');
import { encodeNpz } from '../src/index.js';
import { sameBytes } from './patterns.js';
import { useTempDir } from './temp-dir.js';

describe('synapseBatches (streaming from disk, worker threads)', () => {
  const tmp = useTempDir('loader');

  it('gives identical batches with 0 and 2 workers: [b,224,224,1] float32 images, [b,224,224] int32 labels', async () => {
    const root = join(tmp(), 'synapse');
    await writeSyntheticSynapse(root, { trainCases: 2, testCases: 0, shape: [5, 96, 80], seed: 2 });
    const run = async (workers: number) => {
      const batches = [];
      for await (const batch of synapseBatches(root, { batchSize: 4, seed: 9, workers, epochs: 2 })) batches.push(batch);
      return batches;
    };
    const inline = await run(0);
    const threaded = await run(2);
    expect(inline.map((b) => b.imageShape)).toEqual([
      [4, 224, 224, 1],
      [4, 224, 224, 1],
      [2, 224, 224, 1],
      [4, 224, 224, 1],
      [4, 224, 224, 1],
      [2, 224, 224, 1],
    ]);
    expect(inline[0]!.images).toBeInstanceOf(Float32Array);
    expect(inline[0]!.labels).toBeInstanceOf(Int32Array);
    expect(inline[0]!.labelShape).toEqual([4, 224, 224]);
    threaded.forEach((batch, n) => {
      expect(batch.indices).toEqual(inline[n]!.indices);
      expect(sameBytes(batch.images, inline[n]!.images)).toBe(true);
      expect(sameBytes(batch.labels, inline[n]!.labels)).toBe(true);
    });
    const labels = new Set(inline.flatMap((b) => Array.from(new Set(b.labels))));
    expect([...labels].every((v) => v >= 0 && v <= 8)).toBe(true);
    expect(labels.size).toBeGreaterThan(3);
  });

  it('surfaces a corrupt slice from a worker as an error naming the file', async () => {
    const root = join(tmp(), 'bad');
    await writeSyntheticSynapse(root, { trainCases: 1, testCases: 0, shape: [3, 32, 32] });
    const image = { data: new Float32Array(32 * 32), shape: [32, 32] };
    await writeFile(join(root, 'train_npz/case0031_slice001.npz'), encodeNpz({ image, label: { data: new Uint8Array(32 * 32).fill(40), shape: [32, 32] } }));
    const consume = async () => {
      for await (const batch of synapseBatches(root, { batchSize: 3, workers: 1 })) void batch;
    };
    await expect(consume()).rejects.toThrow(/case0031_slice001\.npz: label value 40 at flat index 0 is outside the class range 0\.\.8/);
  });

  it('lets the process exit when a source with workers is never closed (a setup error after opening it)', async () => {
    const root = join(tmp(), 'unclosed');
    await writeSyntheticSynapse(root, { trainCases: 1, testCases: 0, shape: [2, 32, 32] });
    // One sample loaded, then the script ends without close(): idle workers must not hold the event loop.
    const script = join(tmp(), 'unclosed.mjs');
    await writeFile(script, `const { createSliceSource, synapseTrainFiles } = await import(${JSON.stringify(pathToFileURL(resolve(import.meta.dirname, built)).href)});
const source = createSliceSource(await synapseTrainFiles(${JSON.stringify(root)}), { workers: 2, outputSize: [32, 32] });
await source.load(0, 0, 1);
console.log('loaded');\n`);
    const started = Date.now();
    const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('loaded');
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(25_000);
  });
});
