import { float16ToFloat32, HOST_BYTE_ORDER, swapBytes } from '@levit-unet/torch-io';
import { DataError } from '../data-error.js';
import { type Dtype, dtypeOf, elementBytes, readElements, readInt64Elements, shapeSize } from './dtype.js';
import { transpose } from '../transforms/transpose.js';
import type { NdArray } from '../volume.js';

// Hand-written rather than a library: the .npy format is a 10-byte preamble plus a Python dict literal
// (numpy/lib/format.py), and the npm readers available either skip big-endian/Fortran-order arrays or
// pull in Node-only code; this file must stay browser-safe.

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR: Record<string, Dtype> = {
  i1: 'int8',
  u1: 'uint8',
  b1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  f4: 'float32',
  f8: 'float64',
};

const DESCR_OF: Record<Dtype, string> = {
  int8: '|i1',
  uint8: '|u1',
  int16: '<i2',
  uint16: '<u2',
  int32: '<i4',
  uint32: '<u4',
  float32: '<f4',
  float64: '<f8',
};

/**
 * Decodes a `.npy` file (format versions 1-3) into a C-order array. Little- and big-endian data are
 * read; bool becomes Uint8Array, float16 becomes Float32Array, int64/uint64 become Int32Array when every
 * value fits and Float64Array otherwise; Fortran-order arrays are transposed to C order.
 * `source` names the file in error messages.
 */
export function parseNpy(bytes: Uint8Array, source?: string): NdArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataError(source, 'not a .npy file (missing the \\x93NUMPY magic)');
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DataError(source, 'truncated .npy preamble');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DataError(source, `unsupported .npy format version ${major}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new DataError(source, 'truncated .npy header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const { descr, fortranOrder, shape } = parseHeaderDict(header, source);

  const order = descr[0]!;
  const code = descr.slice(1);
  const littleEndian = order !== '>';
  if (!'<>|='.includes(order) || code.length === 0) {
    throw new DataError(source, `unsupported dtype '${printable(descr)}'`);
  }
  const int64 = code === 'i8' || code === 'u8';
  const dtype = DESCR[code];
  if (!int64 && code !== 'f2' && dtype === undefined) throw new DataError(source, `unsupported dtype '${printable(descr)}'`);
  const count = shapeSize(shape);
  const itemSize = Number(code.slice(1));
  const needed = dataStart + count * itemSize;
  if (bytes.length < needed) {
    throw new DataError(source, `truncated data: shape (${shape.join(', ')}) of '${printable(descr)}' needs ${needed} bytes, file has ${bytes.length}`);
  }
  const data = int64
    ? readInt64Elements(bytes, dataStart, count, code === 'i8', littleEndian, source)
    : dtype === undefined
      ? readFloat16(bytes, dataStart, count, littleEndian)
      : readElements(bytes, dataStart, count, dtype, littleEndian);
  if (fortranOrder && shape.length > 1) {
    const reversed = [...shape].reverse();
    return transpose({ data, shape: reversed }, reversed.map((_, i) => reversed.length - 1 - i));
  }
  return { data, shape };
}

/** Header text as one printable line: control and non-ASCII characters become \\xNN escapes. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).slice(0, 200);
}

function parseHeaderDict(
  header: string,
  source: string | undefined,
): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataError(source, `malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw new DataError(source, `malformed .npy shape (${printable(shapeText)})`);
      return n;
    });
  return { descr, fortranOrder: fortran === 'True', shape };
}

/** float16 elements widened to float32, in either byte order (copied, so alignment does not matter). */
function readFloat16(bytes: Uint8Array, offset: number, count: number, littleEndian: boolean): Float32Array {
  const halves = new Uint8Array(bytes.subarray(offset, offset + 2 * count));
  if ((HOST_BYTE_ORDER === 'little') !== littleEndian) swapBytes(halves, 2);
  return float16ToFloat32(new Uint16Array(halves.buffer, 0, count));
}

/** Encodes a C-order array as a version-1.0 `.npy` file, little-endian, exactly as `np.save` lays it out. */
export function encodeNpy(array: NdArray): Uint8Array {
  const { data, shape } = array;
  if (shapeSize(shape) !== data.length) {
    throw new Error(`encodeNpy: shape (${shape.join(', ')}) does not hold ${data.length} elements`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR_OF[dtypeOf(data)]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // numpy pads the header with spaces and a newline so the data starts on a 64-byte boundary.
  const padding = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(padding) + '\n';
  const body = elementBytes(data, true);
  const out = new Uint8Array(10 + header.length + body.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(body, 10 + header.length);
  return out;
}
