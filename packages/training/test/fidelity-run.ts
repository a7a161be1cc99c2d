import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import { createLeViTUNet, exportStateDict, importCheckpoint, stateDictSlots } from '@levit-unet/levit-unet';
import { readSynapseSlice, synapseTrainFiles } from '@levit-unet/datasets/node';
import { readWeights } from '@levit-unet/torch-io';
import { createTfjsTrainingEngine, trainableVariables, type OptimizerConfig, type TrainBatch, type TrainingEngineFactory } from '../src/index.js';
import { measureFidelity, type FidelityMeasures, type TrainRef } from './fidelity-measures.js';

function floats(map: Map<string, { dtype: string; data: unknown }>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [key, entry] of map) if (entry.data instanceof Float32Array) out.set(key, Float32Array.from(entry.data));
  return out;
}

/**
 * The README's recipe on `train-128s/`: the official init in a LeViT-UNet-128s, slices in train.txt
 * order, batch 2, two steps, constant lr; then the measures against `<name>/train_ref.json`.
 */
export async function runFidelity(
  tf: typeof tfType,
  dir: string,
  name: 'adam' | 'sgd',
  optimizerConfig: OptimizerConfig,
  lr: number,
  engineFactory: TrainingEngineFactory = createTfjsTrainingEngine,
): Promise<FidelityMeasures & { tensorsAfterStep: number[]; engine: string; secondsPerStep: number[] }> {
  const ref = JSON.parse(await readFile(join(dir, name, 'train_ref.json'), 'utf8')) as TrainRef;
  const model = createLeViTUNet({ variant: '128s', numClasses: 9 });
  const source = join(dir, 'init_state_dict.pth.gz');
  importCheckpoint(model, readWeights(await readFile(source), { source }).tensors, { source });
  const initial = floats(exportStateDict(model));
  const files = await synapseTrainFiles(join(dir, 'data'));
  const slices = await Promise.all(files.map((file) => readSynapseSlice(file, 9)));
  const [h, w] = slices[0]!.image.shape as [number, number];
  const engine = await engineFactory({ model, optimizer: optimizerConfig, numClasses: 9, lossWeights: [0.5, 0.5], batchSize: 2, imageSize: [h, w], variables: trainableVariables(model) });
  const variableName = new Map<string, string>();
  for (const slot of stateDictSlots(model)) if (slot.kind === 'weight') variableName.set(slot.variable.name, slot.key);
  const steps = [];
  let gradNorms = new Map<string, number>();
  const tensorsAfterStep: number[] = [];
  const secondsPerStep: number[] = [];
  for (let step = 0; step < 2; step++) {
    const pair = slices.slice(2 * step, 2 * step + 2);
    const batch: TrainBatch = {
      images: Float32Array.from(pair.flatMap((s) => Array.from(s.image.data))),
      labels: Int32Array.from(pair.flatMap((s) => Array.from(s.label.data))),
      labelShape: [2, h, w],
    };
    const started = performance.now();
    const result = await engine.step(batch, { lr, gradNorms: step === 0 });
    secondsPerStep.push((performance.now() - started) / 1000);
    if (result.gradNorms) gradNorms = new Map([...result.gradNorms].map(([v, norm]) => [variableName.get(v) ?? v, norm]));
    steps.push(result);
    tensorsAfterStep.push(tf.memory().numTensors);
  }
  await engine.syncModel();
  const exported = exportStateDict(model);
  const counters = new Map<string, number>();
  for (const [key, entry] of exported) if (key.endsWith('num_batches_tracked')) counters.set(key, Number((entry.data as BigInt64Array)[0]));
  const measures = measureFidelity(ref, steps, gradNorms, initial, floats(exported), counters);
  await engine.dispose();
  model.dispose();
  return { ...measures, tensorsAfterStep, engine: engine.name, secondsPerStep };
}
