import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import type { SampleSource } from '@levit-unet/datasets';
import { NonFiniteLossError } from '../src/index.js';
import { resume, train, type TrainOptions } from '../src/node/index.js';
import { createLeViTUNet } from '@levit-unet/levit-unet';
import { syntheticSynapseRuns } from './synthetic-run-data.js';
import { tinyUNet } from './tiny-models.js';

const tf = await useTfBackend(registerWasmTrainingKernels);
const fixture = syntheticSynapseRuns('levit-training-');

/** Two models with the same initial weights (tfjs initialisers are not seeded). */
function twinModels(size: number, numClasses: number): [import('@tensorflow/tfjs').LayersModel, import('@tensorflow/tfjs').LayersModel] {
  const a = tinyUNet(size, numClasses);
  const b = tinyUNet(size, numClasses);
  b.setWeights(a.getWeights());
  return [a, b];
}

const readJsonl = async (path: string) => (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));

describe('train / resume', () => {
  it('an interrupted and resumed run ends with exactly the weights, optimizer state and log of an uninterrupted one', async () => {
    const [modelA, modelB] = twinModels(32, 9);
    // validation numbers that peak at epoch 2, so best/ must hold epoch 2
    const validate = async (_model: unknown, epoch: number) => ({ meanDice: [0, 0.4, 0.6, 0.5][epoch]!, perClass: [epoch] });
    const base: Omit<TrainOptions, 'runDir' | 'model'> = {
      data: fixture.data,
      numClasses: 9,
      optimizer: { name: 'adam', weightDecay: 1e-4 },
      lr: 1e-3,
      schedule: 'poly',
      epochs: 3,
      batchSize: 3, // 8 slices: batches of 3, 3, 2
      seed: 5,
      validate,
    };
    const a = await train({ ...base, runDir: join(fixture.tmp, 'A'), model: modelA });
    expect(a.status).toBe('completed');
    expect(a.iterations).toBe(9);
    expect(a.bestEpoch).toBe(2);

    const controller = new AbortController();
    const b1 = await train({
      ...base,
      runDir: join(fixture.tmp, 'B'),
      model: modelB,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.iteration === 4) controller.abort();
      },
    });
    expect(b1.status).toBe('aborted');
    expect(b1.iterations).toBe(4);
    b1.model.dispose();
    const b2 = await resume(join(fixture.tmp, 'B'), { validate });
    expect(b2.status).toBe('completed');
    expect(b2.iterations).toBe(9);
    expect(b2.bestEpoch).toBe(2);

    for (const file of ['last/weights.bin', 'last/optimizer.safetensors', 'best/weights.bin']) {
      const [x, y] = await Promise.all([readFile(join(fixture.tmp, 'A', file)), readFile(join(fixture.tmp, 'B', file))]);
      expect(Buffer.compare(x, y), file).toBe(0);
    }
    const strip = (records: Array<Record<string, unknown>>) => records.map(({ time: _t, slicesPerSecond: _s, ...rest }) => rest);
    const logA = await readJsonl(join(fixture.tmp, 'A', 'log.jsonl'));
    expect(strip(await readJsonl(join(fixture.tmp, 'B', 'log.jsonl')))).toEqual(strip(logA));
    // poly: the first two iterations at base lr, then base·(1 − (i − 1)/9)^0.9
    const lrs = logA.filter((r) => r.type === 'train').map((r) => r.lr);
    expect(lrs.slice(0, 3)).toEqual([1e-3, 1e-3, 1e-3 * (1 - 1 / 9) ** 0.9]);
    expect(logA.filter((r) => r.type === 'validation').map((r) => [r.epoch, r.iteration, r.meanDice])).toEqual([[1, 3, 0.4], [2, 6, 0.6], [3, 9, 0.5]]);
    const csv = (await readFile(join(fixture.tmp, 'A', 'log.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('epoch,iteration,loss,ce,dice,lr,slicesPerSecond');
    expect(csv).toHaveLength(10);
    const png = await readFile(join(fixture.tmp, 'A', 'curves.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const config = JSON.parse(await readFile(join(fixture.tmp, 'A', 'config.json'), 'utf8'));
    expect(config.train).toMatchObject({ batchSize: 3, epochs: 3, seed: 5, schedule: 'poly', shuffle: true, lossWeights: [0.5, 0.5] });
    expect(config.data).toMatchObject({ kind: 'synapse', augment: true, imgSize: 32 });
    expect(config.totalIterations).toBe(9);
    expect(JSON.parse(await readFile(join(fixture.tmp, 'A', 'best', 'validation.json'), 'utf8')).epoch).toBe(2);
    const again = await resume(join(fixture.tmp, 'A'));
    expect(again.status).toBe('completed');
    [a.model, b2.model, again.model].forEach((m) => m.dispose());
    const refused = tinyUNet(32, 9);
    await expect(train({ ...base, runDir: join(fixture.tmp, 'A'), model: refused })).rejects.toThrow(/already holds a training run/);
    // A folder holding anything but a run is never written into, even with overwrite.
    const home = join(fixture.tmp, 'home');
    await mkdir(join(home, 'last'), { recursive: true });
    await writeFile(join(home, 'notes.txt'), 'mine');
    await expect(train({ ...base, runDir: home, overwrite: true, model: refused })).rejects.toThrow(
      `${home} is a non-empty folder that is not a training run folder: refusing to replace it`,
    );
    expect((await readdir(home)).sort()).toEqual(['last', 'notes.txt']);
    refused.dispose();
  }, 120_000);

  it('keeps the tensor count stable over 40 iterations (with validation), maxSteps stops mid-epoch', async () => {
    const counts: number[] = [];
    const model = tinyUNet(16, 9);
    const result = await train({
      runDir: join(fixture.tmp, 'C'),
      model,
      data: { ...fixture.data, imgSize: 16, augment: false },
      numClasses: 9,
      optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 1e-4 },
      lr: 0.01,
      batchSize: 2, // 4 iterations per epoch
      maxSteps: 40,
      epochs: 20,
      validate: async () => ({ meanDice: 0.5 }),
      valEvery: 3,
      saveEvery: 5,
      onProgress: () => counts.push(tf.memory().numTensors),
    });
    expect(result.iterations).toBe(40);
    expect(counts).toHaveLength(40);
    expect(new Set(counts.slice(1))).toEqual(new Set([counts[1]]));
    const state = JSON.parse(await readFile(join(fixture.tmp, 'C', 'last', 'training-state.json'), 'utf8'));
    expect(state).toMatchObject({ iteration: 40, epoch: 10, batchInEpoch: 0, completed: true });
    await stat(join(fixture.tmp, 'C', 'best', 'model.json'));
    model.dispose();
  }, 120_000);

  it('a NaN sample stops training with an error naming the iteration; a custom source must be passed again to resume', async () => {
    const plane = 16 * 16;
    const source: SampleSource = {
      length: 4,
      load: async (index) => ({
        image: { data: new Float32Array(plane).fill(index === 2 ? NaN : 0.5), shape: [16, 16] },
        label: { data: new Int32Array(plane).fill(index % 2), shape: [16, 16] },
      }),
    };
    const options: TrainOptions = {
      runDir: join(fixture.tmp, 'D'),
      model: () => tinyUNet(16, 2),
      data: source,
      numClasses: 2,
      optimizer: { name: 'sgd' },
      lr: 0.01,
      batchSize: 1,
      epochs: 1,
      shuffle: false,
    };
    const error = await train(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as Error).message).toMatch(/^iteration 3: non-finite loss NaN/);
    await expect(resume(join(fixture.tmp, 'D'))).rejects.toThrow(/no checkpoint yet|custom SampleSource/);
    const ok = await train({ ...options, runDir: join(fixture.tmp, 'E'), maxSteps: 2 });
    expect(ok.iterations).toBe(2);
    const done = await resume(join(fixture.tmp, 'E'));
    expect(done).toMatchObject({ status: 'completed', iterations: 2 });
    done.model.dispose();
    await expect(resume(join(fixture.tmp, 'E'), { data: { ...source, length: 3 } })).rejects.toThrow(/the data has 3 samples, the run had 4/);
    ok.model.dispose();
  }, 120_000);

  it('a LeViT-UNet-128s at 64×64 (attention layers, PyTorch BatchNorm) resumes bit-exactly too', async () => {
    const a = createLeViTUNet({ variant: '128s', numClasses: 9, imgSize: 64 });
    const b = createLeViTUNet({ variant: '128s', numClasses: 9, imgSize: 64 });
    b.setWeights(a.getWeights());
    const base = {
      data: { ...fixture.data, imgSize: 64 },
      numClasses: 9,
      optimizer: { name: 'sgd' as const, momentum: 0.9, weightDecay: 1e-4 },
      lr: 0.01,
      schedule: 'poly' as const,
      maxSteps: 3,
      batchSize: 2,
    };
    const whole = await train({ ...base, runDir: join(fixture.tmp, 'L1'), model: a });
    const controller = new AbortController();
    const part = await train({ ...base, runDir: join(fixture.tmp, 'L2'), model: b, signal: controller.signal, onProgress: () => controller.abort() });
    expect(part).toMatchObject({ status: 'aborted', iterations: 1 });
    part.model.dispose();
    const rest = await resume(join(fixture.tmp, 'L2'));
    expect(rest).toMatchObject({ status: 'completed', iterations: 3 });
    const [x, y] = await Promise.all([readFile(join(fixture.tmp, 'L1', 'last', 'weights.bin')), readFile(join(fixture.tmp, 'L2', 'last', 'weights.bin'))]);
    expect(Buffer.compare(x, y)).toBe(0);
    whole.model.dispose();
    rest.model.dispose();
  }, 300_000);
});
