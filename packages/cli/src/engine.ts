import { availableParallelism } from 'node:os';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createTfjsEngine, type SegmentationEngine } from '@levit-unet/inference';
import { initBackend, loadModelDir } from '@levit-unet/levit-unet/node';
import { exportOnnx } from '@levit-unet/onnx';
import { createTfjsTrainingEngine, type TrainingEngineFactory } from '@levit-unet/training';
import { createOnnxRuntimeTrainingEngine } from '@levit-unet/training/node';

export const ENGINE_CHOICES = ['tfjs', 'onnxruntime'] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];

export interface OpenEngineOptions {
  /** Default: onnxruntime when onnxruntime-node can be loaded, else tfjs. */
  engine?: EngineChoice;
  /** onnxruntime intra-op threads and tfjs wasm threads (default: all cores). */
  threads?: number;
  /** tfjs backend (the tfjs engine, and loading the model for export). */
  backend?: string;
  /** onnxruntime execution provider (default cpu). */
  device?: TrainingDeviceChoice;
}

/** Whether onnxruntime-node can be loaded here (an optional dependency: npm leaves it out where its install script fails, and a platform may lack its binary). */
export async function onnxRuntimeAvailable(): Promise<boolean> {
  try {
    await import('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
}

export async function defaultEngine(): Promise<EngineChoice> {
  return (await onnxRuntimeAvailable()) ? 'onnxruntime' : 'tfjs';
}

/**
 * A loaded model as a segmentation engine, which owns (and disposes) it. For onnxruntime the tfjs model
 * is exported to ONNX in memory (BatchNorm folded, attention biases gathered) and handed to onnxruntime-node.
 */
export async function engineForModel(model: LayersModel, options: Omit<OpenEngineOptions, 'backend'> = {}): Promise<SegmentationEngine> {
  const engine = options.engine ?? (await defaultEngine());
  if (engine === 'tfjs') {
    if (options.device && options.device !== 'auto') throw new Error(`--device ${options.device} is for --engine onnxruntime (tfjs picks its device with --backend)`);
    return createTfjsEngine(model, { ownsModel: true });
  }
  let bytes: Uint8Array;
  try {
    bytes = exportOnnx(model);
  } finally {
    model.dispose();
  }
  const { createOnnxRuntimeEngine } = await import('@levit-unet/onnx/node');
  return createOnnxRuntimeEngine(bytes, { threads: options.threads ?? availableParallelism(), ...(options.device ? { device: options.device } : {}) });
}

/** The model directory behind a segmentation engine (see `engineForModel`); the caller disposes it. */
export async function openEngine(modelDir: string, options: OpenEngineOptions = {}): Promise<SegmentationEngine> {
  await initBackend(options.backend, { threads: options.threads });
  return engineForModel(await loadModelDir(modelDir), options);
}

export const TRAINING_DEVICES = ['auto', 'cpu', 'webgpu', 'cuda'] as const;
export type TrainingDeviceChoice = (typeof TRAINING_DEVICES)[number];

/**
 * The training engine of `train` and the demo: onnxruntime (the default where onnxruntime-node loads) runs
 * the whole iteration as one ONNX graph on its native kernels, on `device` (auto: a GPU through WebGPU or
 * CUDA where one starts, else the CPU); tfjs runs the model's own layers on the tfjs backend.
 */
export async function trainingEngine(
  choice: EngineChoice | undefined,
  options: { threads?: number; device?: TrainingDeviceChoice; seed?: number },
): Promise<{ name: EngineChoice; device: string; factory: TrainingEngineFactory }> {
  const name = choice ?? (await defaultEngine());
  if (name === 'tfjs') {
    if (options.device && options.device !== 'auto') throw new Error(`--device ${options.device} is for --engine onnxruntime (tfjs picks its device with --backend)`);
    return { name, device: 'tfjs backend', factory: createTfjsTrainingEngine };
  }
  const { probeTrainingDevice } = await import('@levit-unet/onnx/node');
  const device = options.device === undefined || options.device === 'auto' ? await probeTrainingDevice() : options.device;
  const factory = createOnnxRuntimeTrainingEngine({ device, ...(options.threads ? { threads: options.threads } : {}), ...(options.seed === undefined ? {} : { seed: options.seed }) });
  return { name, device, factory };
}
