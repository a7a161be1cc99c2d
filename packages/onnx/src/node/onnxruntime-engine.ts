import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { createOnnxEngine, type OnnxEngine, type OnnxInferenceRuntime } from '../onnx-engine.js';
import { loadOnnxRuntime } from './load-onnxruntime.js';
import { probeTrainingDevice, type TrainingDevice } from './training-device.js';

/** Options of `createOnnxRuntimeEngine`. */
export interface OnnxRuntimeEngineOptions {
  /** Intra-op threads; default every core (`os.availableParallelism()`). */
  threads?: number;
  /** (height, width) when the model's input has symbolic height/width; otherwise read from the model. */
  inputSize?: readonly [number, number];
  /** Classes when the model's output has a symbolic class axis; otherwise read from the model. */
  numClasses?: number;
  /** Execution provider: 'cpu' (default), 'webgpu' (bundled with onnxruntime-node), 'cuda' (its libraries installed separately), or 'auto' (`probeTrainingDevice`). */
  device?: TrainingDevice | 'auto';
}

/** A segmentation model running in onnxruntime-node (see `OnnxEngine`). */
export type OnnxRuntimeEngine = OnnxEngine;

/**
 * Opens an ONNX segmentation model (a file path or its bytes: ours from `exportOnnx`, or the official
 * PyTorch model exported by torch.onnx) in onnxruntime-node on the CPU, all graph optimisations on
 * (`createOnnxEngine` over onnxruntime-node).
 */
export async function createOnnxRuntimeEngine(model: string | Uint8Array, options: OnnxRuntimeEngineOptions = {}): Promise<OnnxRuntimeEngine> {
  const source = typeof model === 'string' ? model : 'ONNX model bytes';
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`createOnnxRuntimeEngine: threads must be a positive integer, got ${options.threads}`);
  const bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model;
  let device: TrainingDevice = 'cpu';
  const runtime = async (): Promise<OnnxInferenceRuntime> => {
    device = options.device === 'auto' ? await probeTrainingDevice() : (options.device ?? 'cpu');
    const { ort } = await loadOnnxRuntime('createOnnxRuntimeEngine', { device, threads });
    return {
      Tensor: ort.Tensor,
      InferenceSession: {
        create: (m, sessionOptions) =>
          ort.InferenceSession.create(m, { ...sessionOptions, executionProviders: device === 'cpu' ? ['cpu'] : [device, 'cpu'] }) as ReturnType<OnnxInferenceRuntime['InferenceSession']['create']>,
      },
    } as OnnxInferenceRuntime;
  };
  try {
    return await createOnnxEngine(runtime, bytes, {
      source,
      ...(options.inputSize ? { inputSize: options.inputSize } : {}),
      ...(options.numClasses !== undefined ? { numClasses: options.numClasses } : {}),
      sessionOptions: { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' },
    });
  } catch (error) {
    if (device === 'cpu' || (error as Error).message.startsWith(`${source}: `)) throw error;
    throw new Error(`${source}: the ${device} execution provider did not start (${(error as Error).message.split('\n')[0]}); --device cpu runs on the CPU`);
  }
}
