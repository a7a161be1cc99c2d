import { availableParallelism } from 'node:os';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createTfjsEngine, type SegmentationEngine } from '@levit-unet/inference';
import { initBackend, loadModelDir } from '@levit-unet/levit-unet/node';
import { exportOnnx } from '@levit-unet/onnx';

export const ENGINE_CHOICES = ['tfjs', 'onnxruntime'] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];

export interface OpenEngineOptions {
  /** Default: onnxruntime when onnxruntime-node can be loaded, else tfjs. */
  engine?: EngineChoice;
  /** onnxruntime intra-op threads and tfjs wasm threads (default: all cores). */
  threads?: number;
  /** tfjs backend (the tfjs engine, and loading the model for export). */
  backend?: string;
}

/** Whether onnxruntime-node can be loaded here (it is a dependency of this package, but a platform may lack its binary). */
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
  if (engine === 'tfjs') return createTfjsEngine(model, { ownsModel: true });
  let bytes: Uint8Array;
  try {
    bytes = exportOnnx(model);
  } finally {
    model.dispose();
  }
  const { createOnnxRuntimeEngine } = await import('@levit-unet/onnx/node');
  return createOnnxRuntimeEngine(bytes, { threads: options.threads ?? availableParallelism() });
}

/** The model directory behind a segmentation engine (see `engineForModel`); the caller disposes it. */
export async function openEngine(modelDir: string, options: OpenEngineOptions = {}): Promise<SegmentationEngine> {
  await initBackend(options.backend, { threads: options.threads });
  return engineForModel(await loadModelDir(modelDir), options);
}
