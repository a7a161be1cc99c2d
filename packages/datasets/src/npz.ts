import { unzipSync, zipSync, type Zippable } from 'fflate';
import { DataError, decodeOrThrow } from './data-error.js';
import { encodeNpy, parseNpy } from './npy.js';
import type { NdArray } from './volume.js';

export interface ParseNpzOptions {
  /** Names the archive in error messages. */
  source?: string;
  /** Only decode these arrays (others are not even inflated); each must be present. */
  arrays?: readonly string[];
}

/**
 * Decodes a `.npz` archive (`np.savez` or `np.savez_compressed`) into `{ name: array }`, names without
 * the `.npy` suffix. Unzipping is fflate's; a corrupt archive or a missing requested array is a
 * `DataError` naming the archive.
 */
export function parseNpz(bytes: Uint8Array, options: ParseNpzOptions = {}): Record<string, NdArray> {
  const { source, arrays } = options;
  const wanted = arrays ? new Set(arrays.map((name) => `${name}.npy`)) : undefined;
  const entries = decodeOrThrow(source, 'unreadable .npz archive', () =>
    unzipSync(bytes, wanted ? { filter: (file) => wanted.has(file.name) } : undefined),
  );
  const result: Record<string, NdArray> = {};
  for (const [file, content] of Object.entries(entries)) {
    if (!file.endsWith('.npy')) continue;
    const name = file.slice(0, -4);
    result[name] = parseNpy(content, source === undefined ? file : `${source}[${name}]`);
  }
  for (const name of arrays ?? []) {
    if (!(name in result)) {
      const present = Object.keys(decodeOrThrow(source, 'unreadable .npz archive', () => listNpzArrays(bytes)));
      throw new DataError(source, `missing array '${name}' (archive has: ${present.join(', ') || 'nothing'})`);
    }
  }
  return result;
}

function listNpzArrays(bytes: Uint8Array): Record<string, true> {
  const names: Record<string, true> = {};
  unzipSync(bytes, {
    filter: (file) => {
      if (file.name.endsWith('.npy')) names[file.name.slice(0, -4)] = true;
      return false;
    },
  });
  return names;
}

export interface EncodeNpzOptions {
  /** Deflate the members like `np.savez_compressed` (default true); false stores them like `np.savez`. */
  compress?: boolean;
  /** Deflate level 1-9 when compressing (default 6, zlib's default). */
  level?: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
}

/** Encodes arrays as a `.npz` archive that `np.load` reads. */
export function encodeNpz(arrays: Record<string, NdArray>, options: EncodeNpzOptions = {}): Uint8Array {
  const level = options.compress === false ? 0 : (options.level ?? 6);
  const files: Zippable = {};
  for (const [name, array] of Object.entries(arrays)) files[`${name}.npy`] = [encodeNpy(array), { level }];
  // A fixed timestamp keeps the archive bytes a pure function of the arrays (reproducible outputs).
  return zipSync(files, { mtime: new Date('1980-01-01T00:00:00Z') });
}
