import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { createLeViTUNet, type LeViTUNetVariant } from '@levit-unet/levit-unet';
import { initBackend } from '@levit-unet/levit-unet/node';
import { createTfjsTrainingEngine, trainableVariables, type TrainingEngineFactory } from '@levit-unet/training';
import { createOnnxRuntimeTrainingEngine } from '@levit-unet/training/node';
import { engineForModel, type EngineChoice } from './engine.js';

/** One row of `levit-unet bench`: one engine (and tfjs backend) on one size, measured in its own process. */
export interface BenchRow {
  variant: LeViTUNetVariant;
  engine: EngineChoice;
  backend: string;
  threads: number;
  inferMsPerImageB1: number;
  inferMsPerImageB8: number;
  /** Adam step with TransUNet's loss at batch 8, 224×224 (median after a warm-up); null when skipped. */
  trainStepSecondsB8: number | null;
  /** Where the engine ran: the tfjs backend, or onnxruntime's execution provider. */
  device: string;
  /** The process's peak resident memory. */
  peakRssMB: number;
}

/** One row of `levit-unet bench`: the variant, engine and backend timed, and how. */
export interface BenchRowOptions {
  variant: LeViTUNetVariant;
  engine: EngineChoice;
  backend?: string;
  threads?: number;
  /** Timed runs after one warm-up (default 3); the median is reported. */
  repeats?: number;
  /** Also time training steps (default true). */
  train?: boolean;
  /** Receives the progress lines (default: none). */
  log?: (line: string) => void;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function randomImages(n: number, size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n * size * size }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32));
}

/** Measures one row in this process (the `bench` command runs each row in a child process so peak memory is per row). */
export async function benchRow(options: BenchRowOptions): Promise<BenchRow> {
  const repeats = options.repeats ?? 3;
  const log = options.log ?? (() => {});
  const size = 224;
  const info = await initBackend(options.backend, { threads: options.threads });
  const backend = info.backend;
  // wasm reports its thread count; tfjs-node and webgpu manage their own (reported as 0).
  const threads = options.engine === 'onnxruntime' ? (options.threads ?? availableParallelism()) : (info.threads ?? 0);
  const engine = await engineForModel(createLeViTUNet({ variant: options.variant, numClasses: 9 }), { engine: options.engine, threads });
  const inferMs: Record<1 | 8, number> = { 1: 0, 8: 0 };
  try {
    for (const batch of [1, 8] as const) {
      const images = randomImages(batch, size, batch);
      await engine.predictLogits(images, batch);
      const times: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const t0 = performance.now();
        await engine.predictLogits(images, batch);
        times.push((performance.now() - t0) / batch);
      }
      inferMs[batch] = median(times);
      log(`${options.variant} ${engine.name}: ${inferMs[batch].toFixed(0)} ms/image at batch ${batch}`);
    }
  } finally {
    await engine.dispose();
  }
  let trainStepSecondsB8: number | null = null;
  if (options.train ?? true) {
    const model = createLeViTUNet({ variant: options.variant, numClasses: 9 });
    const factory: TrainingEngineFactory = options.engine === 'onnxruntime' ? createOnnxRuntimeTrainingEngine({ threads }) : createTfjsTrainingEngine;
    const trainer = await factory({
      model,
      optimizer: { name: 'adam', weightDecay: 1e-4 },
      numClasses: 9,
      lossWeights: [0.5, 0.5],
      batchSize: 8,
      imageSize: [size, size],
      variables: trainableVariables(model),
    });
    try {
      const labels = Int32Array.from(randomImages(8, size, 3), (v) => Math.floor(v * 9));
      const batch = { images: randomImages(8, size, 4), labels, labelShape: [8, size, size] as const };
      const times: number[] = [];
      // Two warm-up steps (both engines' first steps write fresh memory: 2–3× slower), then at least
      // one timed step (a tfjs step takes most of a minute here).
      const warmUp = 2;
      const timed = options.engine === 'onnxruntime' ? repeats : Math.max(1, Math.min(repeats, 2));
      for (let r = 0; r < warmUp + timed; r++) {
        const t0 = performance.now();
        await trainer.step(batch, { lr: 1e-5 });
        if (r >= warmUp) times.push((performance.now() - t0) / 1000);
        log(`${options.variant} ${trainer.name} training step ${r < warmUp ? `(warm-up ${r + 1})` : r + 1 - warmUp}: ${((performance.now() - t0) / 1000).toFixed(2)} s, ${tf.memory().numTensors} tensors`);
      }
      trainStepSecondsB8 = median(times);
    } finally {
      await trainer.dispose();
      model.dispose();
    }
  }
  return {
    variant: options.variant,
    engine: options.engine,
    backend: options.engine === 'onnxruntime' ? 'cpu' : backend,
    threads,
    inferMsPerImageB1: +inferMs[1].toFixed(1),
    inferMsPerImageB8: +inferMs[8].toFixed(1),
    trainStepSecondsB8: trainStepSecondsB8 === null ? null : +trainStepSecondsB8.toFixed(2),
    device: options.engine === 'onnxruntime' ? 'cpu' : backend,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
