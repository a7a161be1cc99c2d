import { listZipEntries, readZipEntries, type ReadLimits } from '@levit-unet/torch-io';
import { zipSync, type Zippable } from 'fflate';
import { DataError } from '../data-error.js';
import { encodeNpy, parseNpy } from './npy.js';
import type { NdArray } from '../volume.js';

/** Options of `parseNpz`: the size limits, a name for errors, which arrays to decode. */
export interface ParseNpzOptions extends ReadLimits {
  /** Names the archive in error messages. */
  source?: string;
  /** Only decode these arrays (others are not even inflated); each must be present. */
  arrays?: readonly string[];
}

const ZIP_SOURCE = 'npz';

/** Runs a torch-io zip call, turning its one-line errors into DataErrors that name the archive. */
function zipOrThrow<T>(source: string | undefined, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const detail = message.startsWith(`${ZIP_SOURCE}: `) ? message.slice(ZIP_SOURCE.length + 2) : message;
    throw new DataError(source, `unreadable .npz archive (${detail})`, { cause: error });
  }
}

/**
 * Decodes a `.npz` archive (`np.savez` or `np.savez_compressed`) into `{ name: array }`, names without
 * the `.npy` suffix. Members are read through torch-io's `readZipEntries`: each is checked against its
 * CRC-32 (numpy refuses the same files) and no member may inflate beyond what deflate can produce or,
 * all together, beyond `maxBytes` (default 4 GiB), refused before allocating. A corrupt archive or a
 * missing requested array is a `DataError` naming the archive.
 */
export function parseNpz(bytes: Uint8Array, options: ParseNpzOptions = {}): Record<string, NdArray> {
  const { source, arrays } = options;
  const wanted = arrays ? new Set(arrays.map((name) => `${name}.npy`)) : undefined;
  const entries = zipOrThrow(source, () =>
    readZipEntries(bytes, {
      source: ZIP_SOURCE,
      wanted: (name) => (wanted ? wanted.has(name) : name.endsWith('.npy')),
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    }),
  );
  const result: Record<string, NdArray> = {};
  for (const [file, content] of entries) {
    if (!file.endsWith('.npy')) continue;
    const name = file.slice(0, -4);
    result[name] = parseNpy(content, source === undefined ? file : `${source}[${name}]`);
  }
  for (const name of arrays ?? []) {
    if (!(name in result)) {
      const present = zipOrThrow(source, () => listZipEntries(bytes, { source: ZIP_SOURCE }))
        .map((entry) => entry.name)
        .filter((file) => file.endsWith('.npy'))
        .map((file) => file.slice(0, -4));
      throw new DataError(source, `missing array '${name}' (archive has: ${present.join(', ') || 'nothing'})`);
    }
  }
  return result;
}

/** Options of `encodeNpz`. */
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
