import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { isGzip } from '@levit-unet/torch-io';
import { DataError } from '../../data-error.js';
import { encodeNifti, parseNifti, parseNiftiPair, type NiftiHeader, type NiftiImage, type NiftiVolume } from '../../io/nifti.js';
import { atomicWriteFile } from '@levit-unet/safe-fs';
import { readBytes } from './read-bytes.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

const PAIR = /\.(hdr|img)(\.gz)?$/i;

/** The `.hdr` and `.img` files of a NIfTI-1 pair named by either (`x.hdr`/`x.img`, each optionally `.gz`). */
async function pairFiles(path: string): Promise<{ hdr: string; img: string }> {
  const stem = path.replace(PAIR, '');
  const [, kind, gz = ''] = PAIR.exec(path)!;
  const upper = kind === kind!.toUpperCase();
  const sibling = (ext: string): string[] => {
    const e = upper ? ext.toUpperCase() : ext;
    // The partner is usually compressed like the file given, but either may be gzipped alone.
    return [`${stem}.${e}${gz}`, `${stem}.${e}${gz ? '' : '.gz'}`];
  };
  const exists = async (p: string): Promise<boolean> => (await stat(p).catch(() => null))?.isFile() ?? false;
  const find = async (candidates: string[]): Promise<string> => {
    for (const candidate of candidates) if (await exists(candidate)) return candidate;
    throw new DataError(path, `NIfTI-1 pair: ${basename(candidates[0]!)} not found next to it`);
  };
  return kind!.toLowerCase() === 'hdr' ? { hdr: path, img: await find(sibling('img')) } : { hdr: await find(sibling('hdr')), img: path };
}

async function gunzipIfNeeded(bytes: Uint8Array, path: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  // Node's native zlib instead of the browser codec: several times faster on 100 MB CT volumes, off the
  // main thread, and it accepts multi-member gzip files.
  try {
    const raw = await gunzipAsync(bytes);
    return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  } catch (error) {
    throw new DataError(path, `corrupt gzip stream (${(error as Error).message})`, { cause: error });
  }
}

/**
 * Reads a `.nii` or `.nii.gz` file, or a NIfTI-1 pair given by its `.hdr` or `.img` (the partner is
 * found next to it; either may be gzipped). Array order and geometry are described on `NiftiVolume`:
 * C order with `shape = [nk, nj, ni]`, `spacing` in the same order, `affine` acting on `(i, j, k, 1)`.
 */
export async function readNifti(path: string): Promise<NiftiVolume> {
  if (PAIR.test(path)) {
    const { hdr, img } = await pairFiles(path);
    const [header, image] = await Promise.all([
      readBytes(hdr).then((b) => gunzipIfNeeded(b, hdr)),
      readBytes(img).then((b) => gunzipIfNeeded(b, img)),
    ]);
    return parseNiftiPair(header, image, `${hdr} + ${basename(img)}`);
  }
  return parseNifti(await gunzipIfNeeded(await readBytes(path), path), path);
}

/** Options of `writeNifti`. */
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
