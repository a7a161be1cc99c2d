import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { importCheckpoint, type CheckpointImportOptions, type CheckpointImportResult } from '../io/checkpoint-import.js';
import { readSafetensors, type WriteSafetensorsOptions } from '../io/safetensors.js';
import { exportStateDict, type ExportStateDictOptions } from '../io/state-dict-export.js';
import type { TensorMap } from '../io/tensor-map.js';
import { readTorchStateDict } from '../io/torch-checkpoint.js';
import { createLeViTUNet, type LeViTUNetOptions } from '../model/levit-unet-model.js';
import { writeSafetensorsFile } from './weights-files.js';

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** A safetensors file starts with its header length (u64 LE) and then the header's `{`. */
function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 9) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  return headerLength > 0n && headerLength <= BigInt(bytes.length - 8) && bytes[8] === 0x7b;
}

/**
 * The tensors of a weights file: a torch.save checkpoint (zip or legacy, bare state_dict or
 * `{'model': ...}`-style container, `module.` prefixes removed), or safetensors; gzip-wrapped or not.
 */
export async function readWeightsFile(path: string): Promise<TensorMap> {
  let bytes: Uint8Array = await readFile(path);
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new Error(`${path}: corrupt gzip data (${(error as Error).message})`);
    }
  }
  if (isSafetensors(bytes)) return readSafetensors(bytes, { source: path }).tensors;
  return readTorchStateDict(bytes, { source: path }).tensors;
}

export interface ImportCheckpointFileOptions extends CheckpointImportOptions, LeViTUNetOptions {}

/** Builds a LeViT-UNet and loads a checkpoint file into it (see `importCheckpoint`). */
export async function importCheckpointFile(
  path: string,
  options: ImportCheckpointFileOptions,
): Promise<CheckpointImportResult & { model: LayersModel }> {
  const tensors = await readWeightsFile(path);
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
