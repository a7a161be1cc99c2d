import { availableParallelism } from 'node:os';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createOnnxTrainer, type OnnxRuntimeLike, type OnnxRuntimeTrainer } from '../training/onnx-trainer.js';
import type { TrainingGraphOptions } from '../training/training-graph.js';
import { loadOnnxRuntime } from './load-onnxruntime.js';
import { probeTrainingDevice, type TrainingDevice } from './training-device.js';

/** Options of `createOnnxRuntimeTrainer`: the graph's, plus threads, device and profiling. */
export interface OnnxRuntimeTrainerOptions extends TrainingGraphOptions {
  /** Intra-op threads; default every core. */
  threads?: number;
  /** Execution provider; 'auto' probes for a GPU (`probeTrainingDevice`). Default 'cpu'. */
  device?: TrainingDevice | 'auto';
  /** Uniform [0, 1) numbers for the drop-path masks (384); pass a seeded stream for reproducible runs. Default Math.random. */
  random?: () => number;
  /** Write onnxruntime's per-node profile (JSON) to files starting with this prefix; see bench/train-step-profile.ts. */
  profilePrefix?: string;
  /**
   * onnxruntime's CPU memory arena (default on) and memory-pattern planning (default off: measured on a
   * 128s batch-8 step, the pattern raised peak RSS from 2.5 to 4.2 GB and made the first two steps slow
   * instead of one, for the same steady step).
   */
  memory?: { arena?: boolean; pattern?: boolean };
}

function executionProviders(device: TrainingDevice): string[] {
  return device === 'cpu' ? ['cpu'] : [device, 'cpu'];
}

/** `createOnnxTrainer` on onnxruntime-node: all cores by default, `device` auto-probed on request. */
export async function createOnnxRuntimeTrainer(model: LayersModel, options: OnnxRuntimeTrainerOptions): Promise<OnnxRuntimeTrainer> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`createOnnxRuntimeTrainer: threads must be a positive integer, got ${options.threads}`);
  const device = options.device === 'auto' ? await probeTrainingDevice() : (options.device ?? 'cpu');
  const { ort, package: runtime } = await loadOnnxRuntime('createOnnxRuntimeTrainer', { device, threads });
  const { threads: _threads, device: _device, profilePrefix, memory, ...graphOptions } = options;
  return createOnnxTrainer(ort as unknown as OnnxRuntimeLike, model, {
    ...graphOptions,
    device,
    endProfiling: profilePrefix !== undefined,
    // onnxruntime-web copies outputs into its heap instead of writing the caller's tensors (see createOnnxTrainer).
    preallocatedOutputs: runtime === 'onnxruntime-node',
    sessionOptions: {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      executionProviders: executionProviders(device),
      enableCpuMemArena: memory?.arena ?? true,
      enableMemPattern: memory?.pattern ?? false,
      ...(profilePrefix ? { enableProfiling: true, profileFilePrefix: profilePrefix } : {}),
    },
  });
}
