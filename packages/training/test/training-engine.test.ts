import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { loadModelDir, saveModelDir } from '@levit-unet/levit-unet/node';
import { createTfjsTrainingEngine, trainableVariables, type OptimizerState, type TrainingEngineFactory, type TrainingEngineOptions } from '../src/index.js';
import { resume, train, type TrainOptions } from '../src/node/index.js';
import { syntheticSynapseRuns } from './synthetic-run-data.js';
import { tinyUNet } from './tiny-models.js';

const tf = await useTfBackend(registerWasmTrainingKernels);
const fixture = syntheticSynapseRuns('levit-training-engine-');

type EngineEvent = 'step' | 'sync';

/**
 * An engine that trains a copy of the model, as an onnxruntime engine trains its own session: the run's
 * model keeps stale values until `syncModel`, so a save or validation without one is caught by its bytes.
 * Optimizer state is renamed between the copy's variables and the run's (the contract: tfjs names of
 * `options.variables`).
 */
function copyingEngine(events: EngineEvent[], seen: TrainingEngineOptions[]): TrainingEngineFactory {
  return async (options) => {
    seen.push(options);
    const dir = await mkdtemp(join(fixture.tmp, 'copy-'));
    await saveModelDir(options.model, dir);
    const copy = await loadModelDir(dir);
    const copyVariables = trainableVariables(copy);
    const inner = await createTfjsTrainingEngine({ ...options, model: copy, variables: copyVariables });
    const toRun = new Map(copyVariables.map((v, i) => [v.name, options.variables[i]!.name]));
    const toCopy = new Map(options.variables.map((v, i) => [v.name, copyVariables[i]!.name]));
    const rename = (state: OptimizerState, names: Map<string, string>): OptimizerState => ({
      ...state,
      slots: Object.fromEntries(Object.entries(state.slots).map(([name, slot]) => [names.get(name)!, slot])),
    });
    return {
      name: 'copying-tfjs',
      device: `copy on ${inner.device}`,
      step: (batch, stepOptions) => {
        events.push('step');
        return inner.step(batch, stepOptions);
      },
      syncModel: async () => {
        events.push('sync');
        options.model.setWeights(copy.getWeights());
      },
      readOptimizerState: async () => rename(await inner.readOptimizerState(), toRun),
      setOptimizerState: (state) => inner.setOptimizerState(rename(state, toCopy)),
      dispose: async () => {
        await inner.dispose();
        copy.dispose();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}

/** Models with the same initial weights (tfjs initialisers are not seeded). */
function sameModels(count: number): LayersModel[] {
  const first = tinyUNet(32, 9);
  return [first, ...Array.from({ length: count - 1 }, () => {
    const model = tinyUNet(32, 9);
    model.setWeights(first.getWeights());
    return model;
  })];
}

const SAVED_FILES = ['last/weights.bin', 'last/optimizer.safetensors', 'best/weights.bin'];

/** The files a run has saved so far; read synchronously in onProgress, before the loop can save again. */
function savedFiles(runDir: string): Record<string, Buffer | null> {
  const read = (file: string) => {
    try {
      return readFileSync(join(runDir, file));
    } catch {
      return null;
    }
  };
  return Object.fromEntries(SAVED_FILES.map((file) => [file, read(file)]));
}

describe('train with a custom engine', () => {
  it('syncs the model before every validation and save, records the engine, and matches the tfjs engine byte for byte', async () => {
    const [plainModel, copyModel, abortedModel] = sameModels(3);
    const base: Omit<TrainOptions, 'runDir' | 'model'> = {
      data: fixture.data,
      numClasses: 9,
      optimizer: { name: 'adam', weightDecay: 1e-4 },
      lr: 1e-3,
      schedule: 'poly',
      epochs: 3,
      batchSize: 3, // 8 slices: batches of 3, 3, 2; last/ after every epoch, best/ after epochs 1 and 2
      seed: 5,
    };
    // What a run had saved at the first iteration of epochs 2 and 3: the mid-run saves.
    const runWith = async (runDir: string, model: LayersModel, extra: Partial<TrainOptions>) => {
      const snapshots: Array<Record<string, Buffer | null>> = [];
      const onProgress = (p: { iteration: number }) => {
        if (p.iteration === 4 || p.iteration === 7) snapshots.push(savedFiles(runDir));
      };
      const result = await train({ ...base, runDir, model, ...extra, onProgress });
      return { result, snapshots };
    };
    const validate = async (_model: unknown, epoch: number) => ({ meanDice: [0, 0.4, 0.6, 0.5][epoch]! });

    const plain = await runWith(join(fixture.tmp, 'plain'), plainModel!, { validate });

    const events: EngineEvent[] = [];
    const seen: TrainingEngineOptions[] = [];
    const eventsAtValidation: EngineEvent[][] = [];
    const copied = await runWith(join(fixture.tmp, 'copy'), copyModel!, {
      engine: copyingEngine(events, seen),
      validate: async (model, epoch) => {
        eventsAtValidation.push([...events]);
        return validate(model, epoch);
      },
    });
    expect(copied.result).toMatchObject({ status: 'completed', iterations: 9, bestEpoch: 2 });
    expect(seen).toHaveLength(1);
    const { model: given, variables, ...rest } = seen[0]!;
    expect(given).toBe(copyModel);
    expect(rest).toEqual({ optimizer: base.optimizer, numClasses: 9, lossWeights: [0.5, 0.5], batchSize: 3, imageSize: [32, 32] });
    expect(variables.map((v) => v.name)).toEqual(trainableVariables(copyModel!).map((v) => v.name));
    // Every save (last/ after each epoch, best/ after epochs 1 and 2) and validation follows the epoch's
    // last step, and one sync there serves them all.
    expect(events.filter((e) => e === 'step')).toHaveLength(9);
    expect(events.join(' ')).toBe('step step step sync step step step sync step step step sync');
    expect(eventsAtValidation.map((at) => at.at(-1))).toEqual(['sync', 'sync', 'sync']);
    // The run's model only holds the copy's values after a sync: equal bytes show each save came after one.
    expect(copied.snapshots).toHaveLength(2);
    expect(copied.snapshots.every((files) => Object.values(files).every(Boolean))).toBe(true);
    expect(copied.snapshots).toEqual(plain.snapshots);
    expect(savedFiles(join(fixture.tmp, 'copy'))).toEqual(savedFiles(join(fixture.tmp, 'plain')));
    expect(copyModel!.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(plain.result.model.getWeights().map((w) => Array.from(w.dataSync())));

    const config = JSON.parse(await readFile(join(fixture.tmp, 'copy', 'config.json'), 'utf8'));
    expect(config.engine).toEqual({ name: 'copying-tfjs', device: `copy on ${tf.getBackend()}` });
    expect(JSON.parse(await readFile(join(fixture.tmp, 'plain', 'config.json'), 'utf8')).engine).toEqual({ name: 'tfjs', device: tf.getBackend() });

    // Abort and resume through the engine: the abort's last/ and the optimizer state read back into it.
    const controller = new AbortController();
    const abortEvents: EngineEvent[] = [];
    const aborted = await train({
      ...base,
      runDir: join(fixture.tmp, 'aborted'),
      model: abortedModel!,
      validate,
      engine: copyingEngine(abortEvents, []),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.iteration === 4) controller.abort();
      },
    });
    expect(aborted).toMatchObject({ status: 'aborted', iterations: 4 });
    expect(abortEvents.join(' ')).toBe('step step step sync step sync');
    const resumedEvents: EngineEvent[] = [];
    const resumed = await resume(join(fixture.tmp, 'aborted'), { validate, engine: copyingEngine(resumedEvents, []) });
    expect(resumed).toMatchObject({ status: 'completed', iterations: 9, bestEpoch: 2 });
    expect(resumedEvents.join(' ')).toBe('step step sync step step step sync');
    for (const file of SAVED_FILES) {
      const [x, y] = await Promise.all([readFile(join(fixture.tmp, 'plain', file)), readFile(join(fixture.tmp, 'aborted', file))]);
      expect(Buffer.compare(x, y), file).toBe(0);
    }
    [plain.result.model, copyModel!, abortedModel!, resumed.model].forEach((m) => m.dispose());
  }, 120_000);

  it('resumes a run folder written before engines were recorded', async () => {
    const runDir = join(fixture.tmp, 'old');
    const first = await train({ data: fixture.data, runDir, model: tinyUNet(32, 9), numClasses: 9, optimizer: { name: 'sgd' }, lr: 0.01, batchSize: 4, epochs: 2, signal: AbortSignal.abort() });
    expect(first).toMatchObject({ status: 'aborted', iterations: 0 });
    first.model.dispose();
    const path = join(runDir, 'config.json');
    const { engine: _engine, ...old } = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify(old));
    const done = await resume(runDir);
    expect(done).toMatchObject({ status: 'completed', iterations: 4 });
    done.model.dispose();
  }, 120_000);
});
