import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { createLeViTUNet, type LeViTUNetVariant } from '@levit-unet/levit-unet';
import { initBackend } from '@levit-unet/levit-unet/node';
import { TorchAdam, trainableVariables, trainStepAsync } from '@levit-unet/training';
import { engineForModel, type EngineChoice } from './engine.js';

/** One row of `levit-unet bench`: one engine (and tfjs backend) on one size, measured in its own process. */
export interface BenchRow {
  variant: LeViTUNetVariant;
  engine: EngineChoice;
  backend: string;
  threads: number;
  inferMsPerImageB1: number;
  inferMsPerImageB8: number;
  /** Adam step with TransUNet's loss at batch 8, 224×224; null for engines that cannot train (onnxruntime) or when skipped. */
  trainStepSecondsB8: number | null;
  /** The process's peak resident memory. */
  peakRssMB: number;
}

export interface BenchRowOptions {
  variant: LeViTUNetVariant;
  engine: EngineChoice;
  backend?: string;
  threads?: number;
  /** Timed runs after one warm-up (default 3); the median is reported. */
  repeats?: number;
  /** Also time training steps (tfjs only; default true). */
  train?: boolean;
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
  if (options.engine === 'tfjs' && (options.train ?? true)) {
    const model = createLeViTUNet({ variant: options.variant, numClasses: 9 });
    const optimizer = new TorchAdam(trainableVariables(model), { weightDecay: 1e-4 });
    try {
      const labels = Int32Array.from(randomImages(8, size, 3), (v) => Math.floor(v * 9));
      const batch = { images: randomImages(8, size, 4), labels, labelShape: [8, size, size] as const };
      const times: number[] = [];
      // One warm-up step, then at least one timed step (a step takes about a minute here).
      for (let r = 0; r <= Math.max(1, Math.min(repeats, 2)); r++) {
        const t0 = performance.now();
        await trainStepAsync(model, optimizer, batch, { lr: 1e-5, numClasses: 9 });
        if (r > 0) times.push((performance.now() - t0) / 1000);
        log(`${options.variant} tfjs training step ${r === 0 ? '(warm-up)' : r}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${tf.memory().numTensors} tensors`);
      }
      trainStepSecondsB8 = median(times);
    } finally {
      optimizer.dispose();
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
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
