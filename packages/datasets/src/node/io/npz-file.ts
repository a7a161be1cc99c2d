import { encodeNpz, parseNpz, type EncodeNpzOptions } from '../../io/npz.js';
import type { NdArray } from '../../volume.js';
import { atomicWriteFile } from '@levit-unet/safe-fs';
import { readBytes } from './read-bytes.js';

/** Reads a `.npz` file; `arrays` limits decoding to those members and requires each of them. */
export async function readNpz(path: string, arrays?: readonly string[]): Promise<Record<string, NdArray>> {
  return parseNpz(await readBytes(path), arrays ? { source: path, arrays } : { source: path });
}

/** Writes arrays atomically as a `.npz` file. */
export async function writeNpz(path: string, arrays: Record<string, NdArray>, options?: EncodeNpzOptions): Promise<void> {
  await atomicWriteFile(path, encodeNpz(arrays, options));
}
