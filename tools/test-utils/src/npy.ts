import { readFileSync } from 'node:fs';

/** A C-order array read from a `.npy` file. */
export interface NpyArray {
  data: Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
  shape: number[];
  dtype: string;
}

const constructors = {
  '|u1': Uint8Array,
  '|i1': Int8Array,
  '|b1': Uint8Array,
  '<u2': Uint16Array,
  '<i2': Int16Array,
  '<u4': Uint32Array,
  '<i4': Int32Array,
  '<f4': Float32Array,
  '<f8': Float64Array,
} as const;

/**
 * Minimal `.npy` reader for tests (format versions 1–3, little-endian, C order). The header is a Python dict literal
 * such as `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`.
 */
export function parseNpy(bytes: Uint8Array): NpyArray {
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== '\x93NUMPY') throw new Error('not a .npy file: bad magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`unreadable .npy header: ${header}`);
  }
  if (fortran === 'True') throw new Error('Fortran-order .npy files are not supported');
  const type = constructors[descr as keyof typeof constructors];
  if (!type) throw new Error(`unsupported .npy dtype ${descr}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const length = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLength;
  // Copy (not Buffer#slice, which is a view) so the typed array is aligned whatever the header length.
  const body = new Uint8Array(bytes.subarray(start, start + length * type.BYTES_PER_ELEMENT));
  return { data: new type(body.buffer, 0, length), shape, dtype: descr };
}

export function readNpy(path: string): NpyArray {
  return parseNpy(readFileSync(path));
}
