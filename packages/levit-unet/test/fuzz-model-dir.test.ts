/**
 * Seeded fuzzing of model directories (model.json + weights.bin): a mutated file is loaded or refused
 * with one line naming the directory, within a time bound, never with a raw JavaScript error.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { describeFailures, fuzz, type FuzzTarget } from '@levit-unet/test-utils/fuzz';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { loadModelDir, saveModelDir } from '../src/node/index.js';

/** Longer runs: FUZZ_ITERATIONS=5000 npx vitest run test/fuzz-model-dir.test.ts */
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 150);
const SEED = 20261201;

let tf: Awaited<ReturnType<typeof useTfBackend>>;
let scratch: string;
let files: { json: Uint8Array; weights: Uint8Array };

beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels);
  scratch = await mkdtemp(join(tmpdir(), 'levit-fuzz-model-dir-'));
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same' }),
      tf.layers.batchNormalization(),
      tf.layers.dense({ units: 3 }),
    ],
  });
  const seedDir = join(scratch, 'seed');
  await saveModelDir(model, seedDir);
  model.dispose();
  files = { json: new Uint8Array(readFileSync(join(seedDir, 'model.json'))), weights: new Uint8Array(readFileSync(join(seedDir, 'weights.bin'))) };
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A target that mutates one of the two files and loads the directory named after the input. */
function target(which: 'json' | 'weights'): FuzzTarget {
  return {
    name: `model directory (${which === 'json' ? 'model.json' : 'weights.bin'})`,
    seeds: [{ name: which, bytes: files[which] }],
    maxResultBytes: 64 << 20,
    read: async (bytes, source) => {
      const dir = join(scratch, source);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'model.json'), which === 'json' ? bytes : files.json);
      writeFileSync(join(dir, 'weights.bin'), which === 'weights' ? bytes : files.weights);
      const tensorsBefore = tf.memory().numTensors;
      let model;
      try {
        model = await loadModelDir(dir);
      } catch (error) {
        if (tf.memory().numTensors !== tensorsBefore) throw new Error(`${source}: a failed load leaked ${tf.memory().numTensors - tensorsBefore} tensors`);
        throw error;
      }
      const bytesHeld = model.getWeights().reduce((n, w) => n + w.size * 4, 0);
      model.dispose();
      return bytesHeld;
    },
  };
}

describe('fuzzing model directories', () => {
  it.each(['json', 'weights'] as const)('%s', async (which) => {
    const report = await fuzz(target(which), { iterations: ITERATIONS, seed: SEED, timeLimitMs: 3000 });
    const unexpected = report;
    if (process.env.FUZZ_ITERATIONS) console.log(describeFailures(report, 1000));
    expect(unexpected.failures, describeFailures(unexpected)).toEqual([]);
    expect(report.refused).toBeGreaterThan(ITERATIONS / 10);
  }, 120_000);
});
