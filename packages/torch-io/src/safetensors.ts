/**
 * The safetensors format (huggingface/safetensors): an unsigned 64-bit little-endian header length N,
 * N bytes of UTF-8 JSON `{"__metadata__": {str: str}?, name: {"dtype", "shape", "data_offsets": [begin, end]}}`
 * padded with spaces, then the tensor bytes, little-endian and C-order, with offsets relative to the
 * first byte after the header. Reading validates what the reference implementation validates (offsets
 * contiguous from 0 to the end of the file, sizes matching dtype x shape); writing produces exactly what
 * its `serialize` produces: header padded to a multiple of 8 bytes, data contiguous with no gaps.
 */
import { decodeElements, ELEMENT_SIZES, encodeElements } from './element-bytes.js';
import { ByteBudget, maxBytesOf, type ReadLimits } from './read-limits.js';
import {
  assertTensorEntry,
  dataKindOf,
  elementCount,
  type TensorDtype,
  type TensorEntry,
  type TensorMap,
} from './tensor-map.js';
import { quote } from './quote.js';

/** The safetensors dtypes read and written. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'U8' | 'BOOL';

const FROM_SAFETENSORS: Readonly<Record<SafetensorsDtype, TensorDtype>> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  U8: 'uint8',
  BOOL: 'bool',
};

const TO_SAFETENSORS = Object.fromEntries(
  Object.entries(FROM_SAFETENSORS).map(([st, dtype]) => [dtype, st]),
) as Readonly<Record<TensorDtype, SafetensorsDtype>>;

/** Position of each dtype in the reference `Dtype` enum, which its writer sorts by (descending). */
const REFERENCE_DTYPE_RANK: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 0,
  U8: 1,
  F16: 2,
  BF16: 3,
  I32: 4,
  F32: 5,
  F64: 6,
  I64: 7,
};

const METADATA_KEY = '__metadata__';
/** The reference reader refuses larger headers. */
const MAX_HEADER_BYTES = 100_000_000;
/** The reference writer pads the header to a multiple of this. */
const HEADER_ALIGNMENT = 8;

/** What a safetensors file holds: its tensors and metadata. */
export interface SafetensorsContents {
  /** Tensors in the order of their data in the file. */
  tensors: TensorMap;
  /** The `__metadata__` string map, or null when the file has none. */
  metadata: Record<string, string> | null;
}

/** Options of `readSafetensors`. */
export interface ReadSafetensorsOptions extends ReadLimits {
  /** Names the input in error messages, e.g. its file path. */
  source?: string;
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A safetensors file starts with its header length (u64 LE) and then the header's `{`. */
export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 9) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  return headerLength > 0n && headerLength <= BigInt(bytes.length - 8) && bytes[8] === 0x7b;
}

/** Reads a `.safetensors` file: its tensors and metadata; a malformed header or an out-of-range offset is an error naming the source. */
export function readSafetensors(bytes: Uint8Array, options: ReadSafetensorsOptions = {}): SafetensorsContents {
  const source = options.source ?? 'safetensors';
  const fail = (message: string): never => {
    throw new Error(`${source}: ${message}`);
  };
  if (bytes.length < 8) fail(`file of ${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    fail(`header length ${declared} exceeds the ${bytes.length - 8} bytes after it (truncated or not safetensors)`);
  }
  const headerLength = Number(declared);
  if (headerLength > MAX_HEADER_BYTES) fail(`header length ${headerLength} exceeds ${MAX_HEADER_BYTES} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    // JSON.parse quotes the offending text, newlines included: keep the message on one line.
    fail(`header is not valid UTF-8 JSON (${(error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ')})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const infos: Array<{ name: string; dtype: TensorDtype; shape: number[]; begin: number; end: number }> = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (!isStringMap(info)) fail(`${quote(METADATA_KEY)} must map strings to strings`);
      metadata = info as Record<string, string>;
      continue;
    }
    const field = `tensor ${quote(name)}`;
    if (typeof info !== 'object' || info === null) fail(`${field}: entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in FROM_SAFETENSORS)) {
      fail(`${field}: dtype ${JSON.stringify(dtype)} is not supported (supported: ${Object.keys(FROM_SAFETENSORS).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every(isIndex)) fail(`${field}: shape must be a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
      fail(`${field}: data_offsets must be [begin, end] with 0 <= begin <= end`);
    }
    const tensorDtype = FROM_SAFETENSORS[dtype as SafetensorsDtype];
    const [begin, end] = offsets as [number, number];
    const expected = elementCount(shape as number[]) * ELEMENT_SIZES[tensorDtype];
    if (end - begin !== expected) {
      fail(`${field}: data_offsets [${begin}, ${end}] span ${end - begin} bytes, but ${dtype} [${(shape as number[]).join(', ')}] needs ${expected}`);
    }
    infos.push({ name, dtype: tensorDtype, shape: shape as number[], begin, end });
  }

  // Like the reference: the tensors must tile the data section exactly, in offset order, without gaps or overlap.
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const info of infos) {
    if (info.begin !== cursor) {
      fail(`tensor ${quote(info.name)}: data starts at ${info.begin}, expected ${cursor} (gap or overlap in data_offsets)`);
    }
    cursor = info.end;
  }
  if (cursor !== dataLength) {
    fail(`tensors cover ${cursor} data bytes but the file has ${dataLength} after the header (truncated or padded)`);
  }

  // Decoding copies or widens every tensor (float16 to float32 doubles it): count that against maxBytes first.
  const budget = new ByteBudget(maxBytesOf(options), source);
  for (const { name, dtype, shape } of infos) {
    budget.take(elementCount(shape) * (dtype === 'float16' || dtype === 'bfloat16' ? 4 : ELEMENT_SIZES[dtype]), `tensor ${quote(name)}`);
  }
  const tensors: TensorMap = new Map();
  for (const { name, dtype, shape, begin, end } of infos) {
    const raw = bytes.subarray(dataStart + begin, dataStart + end);
    tensors.set(name, { dtype, shape, data: decodeElements(raw, dtype, elementCount(shape), 'little', false) });
  }
  return { tensors, metadata };
}

/** Options of `writeSafetensors`. */
export interface WriteSafetensorsOptions {
  /** Written as `__metadata__` (the reference tools put e.g. `{"format": "pt"}` there). */
  metadata?: Record<string, string>;
  /**
   * Order of the tensors in the file:
   * - `aligned` (default): the given order, stably grouped by element size, largest first, so every
   *   tensor starts on a multiple of its element size (as zero-copy readers want);
   * - `given`: exactly the given order (a float16 tensor before a float32 one can leave it misaligned);
   * - `reference`: what the Python library writes: by dtype (its enum order, descending), then name.
   */
  order?: 'aligned' | 'given' | 'reference';
  /**
   * Store every float tensor as this dtype. By default each keeps its source dtype (float16 as F16,
   * float64 as F64 holding the float32-rounded values, ...). Narrowing rounds to nearest even.
   */
  floatDtype?: 'F32' | 'F16' | 'BF16';
}

/** Serialises tensors to the safetensors format. Aliased tensors are written once per name (the format has no aliases). */
export function writeSafetensors(
  tensors: TensorMap | Iterable<readonly [string, TensorEntry]>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  const items: Array<{ name: string; entry: TensorEntry; dtype: SafetensorsDtype }> = [];
  const names = new Set<string>();
  for (const [name, entry] of tensors) {
    if (name === METADATA_KEY) throw new Error(`tensor name ${quote(METADATA_KEY)} is reserved by safetensors`);
    if (names.has(name)) throw new Error(`tensor ${quote(name)} appears twice`);
    names.add(name);
    assertTensorEntry(name, entry);
    const isFloat = dataKindOf(entry.dtype) === 'float32';
    const dtype = isFloat && options.floatDtype ? options.floatDtype : TO_SAFETENSORS[entry.dtype];
    items.push({ name, entry, dtype });
  }
  if (options.metadata !== undefined && !isStringMap(options.metadata)) {
    throw new Error(`safetensors metadata must map strings to strings`);
  }

  const order = options.order ?? 'aligned';
  const size = (item: { dtype: SafetensorsDtype }): number => ELEMENT_SIZES[FROM_SAFETENSORS[item.dtype]];
  if (order === 'aligned') items.sort((a, b) => size(b) - size(a));
  if (order === 'reference') {
    items.sort(
      (a, b) =>
        REFERENCE_DTYPE_RANK[b.dtype] - REFERENCE_DTYPE_RANK[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  }

  // Built as text rather than through an object so that any name (even "__proto__") stays an ordinary key, in file order.
  const fields: string[] = [];
  if (options.metadata !== undefined) fields.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(options.metadata)}`);
  let offset = 0;
  const placed = items.map((item) => {
    const begin = offset;
    offset += item.entry.data.length * size(item);
    const info = { dtype: item.dtype, shape: item.entry.shape, data_offsets: [begin, offset] };
    fields.push(`${JSON.stringify(item.name)}:${JSON.stringify(info)}`);
    return { ...item, begin };
  });
  const json = new TextEncoder().encode(`{${fields.join(',')}}`);
  const padded = Math.ceil(json.length / HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  const dataStart = 8 + padded;
  for (const { entry, dtype, begin } of placed) {
    const length = entry.data.length * size({ dtype });
    encodeElements(entry.data, FROM_SAFETENSORS[dtype], out.subarray(dataStart + begin, dataStart + begin + length), 'little');
  }
  return out;
}
