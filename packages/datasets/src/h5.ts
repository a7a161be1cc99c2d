import { DataError, decodeOrThrow } from './data-error.js';
import { narrowInt64 } from './dtype.js';
import type { NdArray, TypedArray } from './volume.js';

type H5wasm = typeof import('h5wasm').default;
type H5Module = Awaited<H5wasm['ready']>;

let loaded: Promise<{ h5: H5wasm; module: H5Module }> | undefined;

// h5wasm (the HDF5 C library compiled to WebAssembly, ~4 MB) is imported on first use so that code which
// never touches HDF5 does not pay for it. Its in-memory file system makes it work the same in browsers
// and Node: bytes in, bytes out.
async function h5wasm(): Promise<{ h5: H5wasm; module: H5Module }> {
  loaded ??= import('h5wasm').then(async ({ default: h5 }) => ({ h5, module: await h5.ready }));
  return loaded;
}

let fileCounter = 0;

function scratchName(): string {
  fileCounter += 1;
  return `/levit-unet-${fileCounter}.h5`;
}

export interface ParseH5Options {
  /** Names the file in error messages. */
  source?: string;
  /** Only read these datasets (paths from the root, e.g. `image`); each must be present. */
  datasets?: readonly string[];
}

/**
 * Reads the numeric datasets of an HDF5 file (h5py output included, gzip/shuffle-compressed or not) into
 * C-order arrays keyed by name. int64 data become Int32Array when every value fits. A file HDF5 cannot
 * open, a missing requested dataset or a non-numeric one is a `DataError` naming the file.
 */
export async function parseH5(bytes: Uint8Array, options: ParseH5Options = {}): Promise<Record<string, NdArray>> {
  const { source, datasets } = options;
  const { h5, module } = await h5wasm();
  const name = scratchName();
  module.FS.writeFile(name, bytes);
  let file: InstanceType<H5wasm['File']> | undefined;
  try {
    // Everything HDF5 says about a damaged file (bad superblock, truncated B-tree...) becomes one
    // DataError naming the file; our own DataErrors pass through unchanged.
    return decodeOrThrow(source, 'unreadable HDF5 file', () => {
      const opened = new h5.File(name, 'r');
      file = opened;
      const names = datasets ?? opened.keys().filter((key) => opened.get(key) instanceof h5.Dataset);
      const result: Record<string, NdArray> = {};
      for (const key of names) {
        const entity = opened.get(key);
        if (!(entity instanceof h5.Dataset)) {
          throw new DataError(source, `missing dataset '${key}' (file has: ${opened.keys().join(', ') || 'nothing'})`);
        }
        result[key] = datasetArray(entity, key, source);
      }
      return result;
    });
  } finally {
    try {
      file?.close();
    } finally {
      module.FS.unlink(name);
    }
  }
}

function datasetArray(dataset: InstanceType<H5wasm['Dataset']>, key: string, source: string | undefined): NdArray {
  const shape = dataset.shape ?? [];
  const value = dataset.value;
  let data: TypedArray;
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
    data = narrowInt64(value, source === undefined ? key : `${source}[${key}]`);
  } else if (
    value instanceof Int8Array ||
    value instanceof Uint8Array ||
    value instanceof Int16Array ||
    value instanceof Uint16Array ||
    value instanceof Int32Array ||
    value instanceof Uint32Array ||
    value instanceof Float32Array ||
    value instanceof Float64Array
  ) {
    data = value;
  } else {
    throw new DataError(source, `dataset '${key}' is not numeric (dtype ${JSON.stringify(dataset.dtype)})`);
  }
  return { data, shape };
}

const H5_DTYPE: Record<string, string> = {
  Int8Array: '<b',
  Uint8Array: '<B',
  Int16Array: '<h',
  Uint16Array: '<H',
  Int32Array: '<i',
  Uint32Array: '<I',
  Float32Array: '<f',
  Float64Array: '<d',
};

export interface EncodeH5Options {
  /** gzip level 1-9 for chunked, compressed datasets (what h5py's `compression='gzip'` writes); 0 or absent: contiguous. */
  gzip?: number;
}

/** Writes arrays as root datasets of a new HDF5 file and returns its bytes (h5py and h5dump read it). */
export async function encodeH5(arrays: Record<string, NdArray>, options: EncodeH5Options = {}): Promise<Uint8Array> {
  const { h5, module } = await h5wasm();
  const name = scratchName();
  const file = new h5.File(name, 'w');
  try {
    for (const [key, array] of Object.entries(arrays)) {
      const level = options.gzip ?? 0;
      file.create_dataset({
        name: key,
        data: array.data,
        shape: array.shape,
        dtype: H5_DTYPE[array.data.constructor.name]!,
        ...(level > 0 && array.shape.length > 0
          ? { compression: level, chunks: array.shape.map((d, n) => (n === 0 ? 1 : Math.max(1, d))) }
          : {}),
      });
    }
  } finally {
    file.close();
  }
  try {
    return module.FS.readFile(name);
  } finally {
    module.FS.unlink(name);
  }
}
