/** Node file wrappers around the browser-safe weight readers and writers in `../io`. */
import { readFile } from 'node:fs/promises';
import { atomicWriteFile } from '@levit-unet/datasets/node';
import type { TensorEntry, TensorMap } from '../io/tensor-map.js';
import {
  readTorchCheckpoint,
  extractStateDict,
  type ExtractStateDictOptions,
  type StateDict,
  type TorchCheckpoint,
} from '../io/torch-checkpoint.js';
import {
  readSafetensors,
  writeSafetensors,
  type SafetensorsContents,
  type WriteSafetensorsOptions,
} from '../io/safetensors.js';

/** Reads a `.pth`/`.pt` written by torch.save (not gzipped). */
export async function readTorchCheckpointFile(path: string): Promise<TorchCheckpoint> {
  return readTorchCheckpoint(await readFile(path), { source: path });
}

/** Reads the state_dict of a torch.save file, following `{'model': ...}`-style containers. */
export async function readTorchStateDictFile(path: string, options: ExtractStateDictOptions = {}): Promise<StateDict> {
  return extractStateDict(await readTorchCheckpointFile(path), options);
}

export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  return readSafetensors(await readFile(path), { source: path });
}

/** Writes a `.safetensors` file atomically (a crash leaves the old file or the new one, never half). */
export async function writeSafetensorsFile(
  path: string,
  tensors: TensorMap | Iterable<readonly [string, TensorEntry]>,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  await atomicWriteFile(path, writeSafetensors(tensors, options));
}
