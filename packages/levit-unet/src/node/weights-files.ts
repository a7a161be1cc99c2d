/** Node file wrappers around the browser-safe readers and writers of `@levit-unet/torch-io`. */
import { readFile } from 'node:fs/promises';
import { atomicWriteFile } from '@levit-unet/safe-fs';
import { readWeights, writeSafetensors, type TensorEntry, type TensorMap, type WriteSafetensorsOptions } from '@levit-unet/torch-io';

/**
 * The tensors of a weights file: a torch.save checkpoint (zip or legacy, bare state_dict or
 * `{'model': ...}`-style container, `module.` prefixes removed), or safetensors; gzip-wrapped or not.
 */
export async function readWeightsFile(path: string, options: { maxBytes?: number } = {}): Promise<TensorMap> {
  return readWeights(await readFile(path), { ...options, source: path }).tensors;
}

/** Writes a `.safetensors` file atomically (a crash leaves the old file or the new one, never half). */
export async function writeSafetensorsFile(
  path: string,
  tensors: TensorMap | Iterable<readonly [string, TensorEntry]>,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  await atomicWriteFile(path, writeSafetensors(tensors, options));
}
