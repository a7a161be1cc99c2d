import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { WriteSafetensorsOptions } from '@levit-unet/torch-io';
import { importCheckpoint, type CheckpointImportOptions, type CheckpointImportResult } from '../weights/checkpoint-import.js';
import { exportStateDict, type ExportStateDictOptions } from '../weights/state-dict-export.js';
import { createLeViTUNet, type LeViTUNetOptions } from '../model/levit-unet-model.js';
import { readWeightsFile, writeSafetensorsFile } from './weights-files.js';

/** Options of `importCheckpointFile`: the model to build and how the checkpoint is loaded into it. */
export interface ImportCheckpointFileOptions extends CheckpointImportOptions, LeViTUNetOptions {
  /** Refuse files that would need more memory than this (default torch-io's 4 GiB). */
  maxBytes?: number;
}

/** Builds a LeViT-UNet and loads a checkpoint file into it (see `importCheckpoint`). */
export async function importCheckpointFile(
  path: string,
  options: ImportCheckpointFileOptions,
): Promise<CheckpointImportResult & { model: LayersModel }> {
  const tensors = await readWeightsFile(path, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  const model = createLeViTUNet(options);
  try {
    return { model, ...importCheckpoint(model, tensors, { ...options, source: path }) };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Writes the model's weights as safetensors with the official PyTorch keys and layouts (atomic). */
export async function exportSafetensorsFile(
  model: LayersModel,
  path: string,
  options: ExportStateDictOptions & Pick<WriteSafetensorsOptions, 'floatDtype'> = {},
): Promise<void> {
  await writeSafetensorsFile(path, exportStateDict(model, options), { metadata: { format: 'pt' }, floatDtype: options.floatDtype });
}
