/**
 * `seed` makes a run repeatable: the same 3-step run twice with one seed (random initial weights from a
 * model factory, reshuffled data, TransUNet augmentation, drop-path) ends with the same bytes of weights
 * and the same losses; another seed with other ones. For each engine, on one backend and thread count.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { createLeViTUNet } from '@levit-unet/levit-unet';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createTfjsTrainingEngine, type TrainingEngineFactory } from '../src/index.js';
import { createOnnxRuntimeTrainingEngine, train } from '../src/node/index.js';
import { syntheticSynapseRuns } from './synthetic-run-data.js';
import { tinyUNet } from './tiny-models.js';

await useTfBackend(registerWasmTrainingKernels);
const fixture = syntheticSynapseRuns('levit-seeded-');

interface Outcome {
  weights: Buffer;
  losses: number[];
  /** log.jsonl without its wall-clock fields. */
  log: unknown[];
}

let runs = 0;
async function run(engine: TrainingEngineFactory, model: () => LayersModel, seed: number): Promise<Outcome> {
  const runDir = join(fixture.tmp, `run${runs++}`);
  const result = await train({
    engine,
    runDir,
    model,
    data: fixture.data, // augment: true
    numClasses: 9,
    optimizer: { name: 'adam', weightDecay: 1e-4 },
    lr: 1e-2,
    batchSize: 3,
    maxSteps: 3,
    seed,
    shuffle: true,
  });
  result.model.dispose();
  const log = (await readFile(join(runDir, 'log.jsonl'), 'utf8')).trim().split('\n').map((line) => {
    const { time: _t, slicesPerSecond: _s, ...rest } = JSON.parse(line) as Record<string, unknown>;
    return rest;
  });
  return { weights: await readFile(join(runDir, 'last', 'weights.bin')), losses: log.map((r) => r.loss as number), log };
}

/** A LeViT-UNet-128s with drop-path in every residual (rate 0.3, so 3 steps of 3 slices draw different masks). */
const levitWithDropPath = () => createLeViTUNet({ variant: '128s', numClasses: 9, imgSize: 32, dropPath: 0.3, decoderChannels: [16, 8, 8] });

const engines: Array<[string, TrainingEngineFactory]> = [
  ['tfjs', createTfjsTrainingEngine],
  ['onnxruntime', createOnnxRuntimeTrainingEngine({ threads: 1 })],
];

describe.each(engines)('train with a seed on the %s engine', (_name, engine) => {
  const go = (model: () => LayersModel, seed: number) => run(engine, model, seed);

  it('gives bit-identical weights and logs for one seed, and other ones for another seed', async () => {
    const [a, b, c] = [await go(() => tinyUNet(32, 9), 3), await go(() => tinyUNet(32, 9), 3), await go(() => tinyUNet(32, 9), 4)];
    expect(a.losses).toHaveLength(3);
    expect(a.losses.every(Number.isFinite)).toBe(true);
    expect(b.log).toEqual(a.log);
    expect(Buffer.compare(b.weights, a.weights)).toBe(0);
    expect(c.losses).not.toEqual(a.losses);
    expect(Buffer.compare(c.weights, a.weights)).not.toBe(0);
  }, 120_000);

  it('seeds drop-path: a LeViT-UNet repeats with one seed', async () => {
    const [a, b] = [await go(levitWithDropPath, 5), await go(levitWithDropPath, 5)];
    expect(b.log).toEqual(a.log);
    expect(Buffer.compare(b.weights, a.weights)).toBe(0);
  }, 180_000);
});
