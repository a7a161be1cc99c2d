import { ByteBudget, float16ToFloat32, maxBytesOf, type ReadLimits } from '@levit-unet/torch-io';
import { DataError } from '../data-error.js';
import { narrowInt64 } from './dtype.js';
import type { NdArray, TypedArray } from '../volume.js';

type H5wasm = typeof import('h5wasm').default;
type H5Module = Awaited<H5wasm['ready']>;

type H5Links = Pick<typeof import('h5wasm'), 'ExternalLink' | 'BrokenSoftLink'>;

let loaded: Promise<{ h5: H5wasm; module: H5Module; links: H5Links }> | undefined;

// h5wasm (the HDF5 C library compiled to WebAssembly, ~4 MB) is imported on first use so that code which
// never touches HDF5 does not pay for it. Its in-memory file system makes it work the same in browsers
// and Node: bytes in, bytes out.
async function h5wasm(): Promise<{ h5: H5wasm; module: H5Module; links: H5Links }> {
  loaded ??= import('h5wasm').then(async ({ default: h5, ExternalLink, BrokenSoftLink }) => ({
    h5,
    module: await h5.ready,
    links: { ExternalLink, BrokenSoftLink },
  }));
  return loaded;
}

let fileCounter = 0;

function scratchName(): string {
  fileCounter += 1;
  return `/levit-unet-${fileCounter}.h5`;
}

/** Options of `parseH5`: the size limits, a name for errors, which datasets to read. */
export interface ParseH5Options extends ReadLimits {
  /** Names the file in error messages. */
  source?: string;
  /** Only read these datasets (paths from the root, e.g. `image`); each must be present. */
  datasets?: readonly string[];
}

/** Deflate never expands more than this; a chunked dataset claiming more than the file could inflate to is refused. */
const MAX_DEFLATE_RATIO = 1032;
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

/**
 * Reads the numeric datasets of an HDF5 file (h5py output included, gzip/shuffle-compressed or not) into
 * C-order arrays keyed by name. int64 data become Int32Array when every value fits. A file HDF5 cannot
 * open, a missing requested dataset or a non-numeric one is a `DataError` naming the file; so is a
 * dataset HDF5 fails to read (a corrupt compressed chunk: h5wasm's own `value` ignores the failure and
 * returns whatever memory held), one stored outside the file (external storage, refused: its bytes would
 * come from another file), an external or dangling link, and a dataset whose size is beyond `maxBytes`
 * or beyond what the file could hold (refused before allocating).
 */
export async function parseH5(bytes: Uint8Array, options: ParseH5Options = {}): Promise<Record<string, NdArray>> {
  const { source, datasets } = options;
  const budget = new ByteBudget(maxBytesOf(options), source ?? 'HDF5 file');
  const { h5, module, links } = await h5wasm();
  const name = scratchName();
  module.FS.writeFile(name, bytes);
  // HDF5 opens external raw data files (and external link targets) through the in-memory file system:
  // allow only this file, and remember what else it asked for.
  const refused: string[] = [];
  const fs = module.FS as unknown as { open: (path: string, ...rest: unknown[]) => unknown; ErrnoError: new (errno: number) => Error };
  const open = fs.open;
  fs.open = (path: string, ...rest: unknown[]) => {
    if (path !== name && path !== name.slice(1)) {
      refused.push(path.replace(/^\/+/, '/'));
      throw new fs.ErrnoError(44); // ENOENT
    }
    return open.call(module.FS, path, ...rest);
  };
  let file: InstanceType<H5wasm['File']> | undefined;
  // HDF5 reports failures by printing its error stack (HDF5-DIAG) to stderr and returning a status. The
  // stack is captured here (its innermost line is the reason to report) instead of printed. h5wasm's throwing error handler
  // is not used: an exception unwinding through HDF5 skips its cleanup and leaks ~20 KB of wasm heap per
  // failed read, until the heap is corrupt.
  const diagnostics = captureStderr(module);
  try {
    if (crashed) throw new DataError(source, `cannot be read: ${crashed}`);
    const opened = new h5.File(name, 'r');
    file = opened;
    if (opened.file_id < 0n) throw new Error('HDF5 could not open it');
    const keys = opened.keys();
    const entityOf = (key: string) => {
      try {
        return opened.get(key);
      } catch {
        return null; // a nested path that does not exist
      }
    };
    const names = datasets ?? keys.filter((key) => !(entityOf(key) instanceof h5.Group || entityOf(key) instanceof h5.Datatype));
    const result: Record<string, NdArray> = {};
    for (const key of names) {
      const entity = entityOf(key);
      if (entity instanceof links.ExternalLink) {
        throw new DataError(
          source,
          `'${key}' is an external link to ${entity.filename}:${entity.obj_path}; links to other files are refused (copy the dataset into this file)`,
        );
      }
      if (entity instanceof links.BrokenSoftLink) {
        throw new DataError(source, `'${key}' is a soft link to '${entity.target}', which does not exist`);
      }
      if (!(entity instanceof h5.Dataset)) {
        throw new DataError(source, `missing dataset '${key}' (file has: ${keys.join(', ') || 'nothing'})`);
      }
      result[key] = readDataset(module, entity, key, { source, fileBytes: bytes.length, budget, refused, diagnostics });
    }
    return result;
  } catch (error) {
    // Everything HDF5 says about a damaged file (bad superblock, truncated B-tree...) becomes one
    // DataError naming the file; our own DataErrors pass through unchanged.
    if (error instanceof DataError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (isWasmCrash(error)) {
      // A trap leaves the HDF5 library's state undefined: refuse every later file rather than trust it.
      crashed = `the HDF5 library (h5wasm) crashed (${message}) on an earlier corrupt file; restart the process`;
      throw new DataError(source, `the HDF5 library crashed reading it (${message}): the file is corrupt`, { cause: error });
    }
    const reason = hdf5Reason(diagnostics.text()) ?? message.split('\n')[0]!.trim();
    throw new DataError(source, `unreadable HDF5 file (${reason})`, { cause: error });
  } finally {
    fs.open = open;
    diagnostics.stop();
    try {
      if (!crashed && file && file.file_id >= 0n) file.close();
    } catch {
      // Closing after a failed read can fail too; the read's error is the one to report.
    }
    try {
      module.FS.unlink(name);
    } catch {
      // Already gone.
    }
  }
}

/** Set when h5wasm trapped: its heap may be corrupt, so no later file is read. */
let crashed: string | null = null;

function isWasmCrash(error: unknown): boolean {
  return (
    (typeof WebAssembly !== 'undefined' && error instanceof WebAssembly.RuntimeError) ||
    (error instanceof Error && /memory access out of bounds|^Aborted|unreachable/.test(error.message))
  );
}

interface StderrCapture {
  text(): string;
  stop(): void;
}

/**
 * Collects what the HDF5 library writes to its stderr (Emscripten's fd 2) until stop(), by swapping the
 * terminal device's put_char for the duration; works the same in Node and browsers.
 */
function captureStderr(module: H5Module): StderrCapture {
  type TtyOps = { put_char: (tty: unknown, byte: number | null) => void; fsync: (tty: unknown) => void };
  const fs = module.FS as unknown as { getStream?: (fd: number) => { tty?: { ops: TtyOps } } | null };
  const tty = fs.getStream?.(2)?.tty;
  if (!tty) return { text: () => '', stop: () => {} };
  const bytes: number[] = [];
  const ops = tty.ops;
  tty.ops = {
    put_char: (_tty, byte) => {
      if (byte !== null && bytes.length < 1 << 20) bytes.push(byte);
    },
    fsync: () => {},
  };
  return {
    text: () => new TextDecoder().decode(new Uint8Array(bytes)),
    stop: () => {
      tty.ops = ops;
    },
  };
}

interface ReadContext {
  source: string | undefined;
  fileBytes: number;
  budget: ByteBudget;
  refused: string[];
  diagnostics: StderrCapture;
}

/** The innermost reason in HDF5's last error stack ("filter returned failure during read"), or null. */
function hdf5Reason(diagnostics: string): string | null {
  const last = diagnostics.slice(diagnostics.lastIndexOf('HDF5-DIAG:'));
  const reasons = [...last.matchAll(/#\d+: .*? in [\w]+\(\): (.*)$/gm)].map((m) => m[1]!.trim());
  return reasons[reasons.length - 1] ?? null;
}

/**
 * Reads a whole dataset through h5wasm's low-level call, whose status h5wasm's `value` getter ignores:
 * a failed H5Dread is an error here, never a buffer of whatever the heap held.
 */
function readDataset(module: H5Module, dataset: InstanceType<H5wasm['Dataset']>, key: string, context: ReadContext): NdArray {
  const { source, budget } = context;
  const metadata = dataset.metadata;
  const { shape, size, type } = metadata;
  const dtype = JSON.stringify(dataset.dtype);
  if (metadata.vlen || (type !== H5T_INTEGER && type !== H5T_FLOAT) || ![1, 2, 4, 8].includes(size) || (type === H5T_FLOAT && size === 1)) {
    throw new DataError(source, `dataset '${key}' is not numeric (dtype ${dtype})`);
  }
  if (shape === null) throw new DataError(source, `dataset '${key}' has no shape (an HDF5 null dataspace)`);
  const count = shape.reduce((a, b) => a * b, 1);
  const nbytes = count * size;
  const described = `dataset '${key}' (${dtype} [${shape.join(', ')}], ${nbytes} bytes)`;
  // What the file can hold: contiguous data lies in the file; chunked data at most inflates by deflate's ratio.
  const filters = dataset.filters as Array<{ id: number }>;
  const fileLimit = metadata.chunks === null && filters.length === 0 ? context.fileBytes : context.fileBytes * MAX_DEFLATE_RATIO;
  if (nbytes > fileLimit) {
    throw new DataError(
      source,
      `${described} claims more data than the ${context.fileBytes}-byte file can hold: ` +
        (metadata.chunks === null ? 'its data lives outside the file (external storage is refused) or was never written' : 'corrupt or never-written chunks'),
    );
  }
  try {
    budget.take(nbytes, described);
  } catch (error) {
    throw new DataError(undefined, (error as Error).message);
  }
  const pointer = module._malloc(Math.max(nbytes, 1));
  if (pointer === 0) throw new DataError(source, `${described}: HDF5 could not allocate it`);
  const refusedBefore = context.refused.length;
  try {
    // h5wasm's `value` getter ignores this status; a failed H5Dread leaves the buffer as malloc left it.
    const status = module.get_dataset_data(dataset.file_id, dataset.path, null, null, null, BigInt(pointer));
    if (status < 0) {
      const external = context.refused.slice(refusedBefore);
      if (external.length > 0) {
        throw new DataError(
          source,
          `dataset '${key}' stores its data in external file(s) ${[...new Set(external)].join(', ')}; external storage is refused (the data would come from outside this file)`,
        );
      }
      const reason = hdf5Reason(context.diagnostics.text()) ?? `status ${status}`;
      throw new DataError(source, `HDF5 failed to read dataset '${key}' (${reason}): the file is corrupt`);
    }
    const raw = module.HEAPU8.slice(pointer, pointer + nbytes);
    return { data: typedArrayOf(raw, type, size, metadata.signed, source === undefined ? key : `${source}[${key}]`), shape: [...shape] };
  } finally {
    module._free(pointer);
  }
}

/** h5wasm reads into little-endian memory (it sets the memory type's order), so the bytes are host order here. */
function typedArrayOf(raw: Uint8Array, type: number, size: number, signed: boolean, name: string): TypedArray {
  const { buffer } = raw;
  if (type === H5T_FLOAT) {
    if (size === 2) return float16ToFloat32(new Uint16Array(buffer));
    return size === 4 ? new Float32Array(buffer) : new Float64Array(buffer);
  }
  switch (size) {
    case 1:
      return signed ? new Int8Array(buffer) : new Uint8Array(buffer);
    case 2:
      return signed ? new Int16Array(buffer) : new Uint16Array(buffer);
    case 4:
      return signed ? new Int32Array(buffer) : new Uint32Array(buffer);
    default:
      return narrowInt64(signed ? new BigInt64Array(buffer) : new BigUint64Array(buffer), name);
  }
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

/** Options of `encodeH5`. */
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
