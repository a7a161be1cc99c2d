import { createTfjsEngine, type SegmentationEngine } from '@levit-unet/inference';
import { initBackend, loadModelDir } from '@levit-unet/levit-unet/node';

export interface OpenEngineOptions {
  /** tfjs backend (tfjs engine only). */
  backend?: string;
}

/** The model directory behind a segmentation engine; the caller disposes the engine. */
export async function openEngine(modelDir: string, options: OpenEngineOptions = {}): Promise<SegmentationEngine> {
  await initBackend(options.backend);
  return createTfjsEngine(await loadModelDir(modelDir), { ownsModel: true });
}
