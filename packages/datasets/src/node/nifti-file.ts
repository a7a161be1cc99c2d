import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { isGzip } from '@levit-unet/torch-io';
import { DataError } from '../data-error.js';
import { encodeNifti, parseNifti, type NiftiHeader, type NiftiImage, type NiftiVolume } from '../nifti.js';
import { atomicWriteFile } from '@levit-unet/safe-fs';
import { readBytes } from './read-bytes.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/**
 * Reads a `.nii` or `.nii.gz` file. Array order and geometry are described on `NiftiVolume`: C order
 * with `shape = [nk, nj, ni]`, `spacing` in the same order, `affine` acting on `(i, j, k, 1)`.
 */
export async function readNifti(path: string): Promise<NiftiVolume> {
  let bytes = await readBytes(path);
  if (isGzip(bytes)) {
    // Node's native zlib instead of the browser codec: several times faster on 100 MB CT volumes, off the
    // main thread, and it accepts multi-member gzip files.
    try {
      const raw = await gunzipAsync(bytes);
      bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    } catch (error) {
      throw new DataError(path, `corrupt gzip stream (${(error as Error).message})`, { cause: error });
    }
  }
  return parseNifti(bytes, path);
}

export interface WriteNiftiOptions {
  /** Source header to keep (see `EncodeNiftiOptions.like`); defaults to `volume.header`. */
  like?: NiftiHeader;
}

/**
 * Writes `volume` atomically as `.nii`, or gzipped when `path` ends in `.gz`. With a source header
 * (`like`, or `volume.header`) every header field and the affine are kept; label maps written this way
 * overlay their CT in any viewer.
 */
export async function writeNifti(path: string, volume: NiftiImage, options: WriteNiftiOptions = {}): Promise<void> {
  const raw = encodeNifti(volume, options.like ? { like: options.like } : {});
  const bytes = path.endsWith('.gz') ? new Uint8Array(await gzipAsync(raw)) : raw;
  await atomicWriteFile(path, bytes);
}
