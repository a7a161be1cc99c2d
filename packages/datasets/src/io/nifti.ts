import { isGzip } from '@levit-unet/torch-io';
import { gunzipSync, gzipSync } from 'fflate';
import { readHeader, type NIFTI1, type NIFTI2 } from 'nifti-reader-js';
import { DataError, decodeOrThrow } from '../data-error.js';
import { type Dtype, dtypeOf, elementBytes, readElements, readInt64Elements, shapeSize } from './dtype.js';
import type { NdArray, TypedArray } from '../volume.js';

/** A NIfTI header as read: the raw bytes (so writers can carry every field over) and the decoded fields. */
export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** The 348 (NIfTI-1) or 540 (NIfTI-2) header bytes exactly as stored. */
  bytes: Uint8Array;
  /** Every header field, decoded by nifti-reader-js (`dims`, `pixDims`, `sform_code`, `descrip`...). */
  fields: NIFTI1 | NIFTI2;
}

/**
 * A NIfTI image as typed array + geometry.
 *
 * **Axis order.** `data` is the voxel data exactly as stored on disk (no copy, no reordering). NIfTI
 * stores `i` fastest, then `j`, then `k` (then `t`...), so in this package's C-order convention (last
 * axis fastest) the array has `shape = [nk, nj, ni]` (4-D: `[nt, nk, nj, ni]`), i.e. the dims reversed
 * — the same order as ITK/SimpleITK's `GetArrayFromImage` and `nibabel`'s array transposed. Element
 * `(k, j, i)` is at `data[(k * nj + j) * ni + i]`. `spacing` is in the same order as `shape`
 * (`[dk, dj, di]`, millimetres for spatial axes), so `shape[n]` and `spacing[n]` always describe the same
 * axis. For an axial CT stored the usual way (`k` = slice axis) this is `[D, H, W]` with rows along `j`
 * and columns along `i`.
 *
 * `affine` is the 4x4 voxel-to-world matrix (world = RAS+ mm, NIfTI's convention) and, as in NIfTI and
 * nibabel, it acts on `(i, j, k, 1)`: **its columns are in the reverse of `shape`'s order**. It is the
 * sform when `sform_code > 0`, else the qform when `qform_code > 0`, else `diag(pixdim)` (nibabel's
 * precedence).
 */
export interface NiftiVolume<T extends TypedArray = TypedArray> extends NdArray<T> {
  data: T;
  shape: number[];
  spacing: number[];
  affine: number[][];
  header: NiftiHeader;
}

/** What `encodeNifti` needs; `header` (or `options.like`) supplies geometry and every other field. */
export interface NiftiImage {
  data: TypedArray;
  /** C order, reversed NIfTI dims: `[nk, nj, ni]` (see `NiftiVolume`). */
  shape: number[];
  /** Same order as `shape`; used only without a source header (default 1 mm). */
  spacing?: number[];
  /** Voxel `(i, j, k)` to world; used only without a source header (default `diag(spacing)`). */
  affine?: number[][];
  header?: NiftiHeader;
}

const DATATYPE_OF: Record<number, Dtype | 'int64' | 'uint64'> = {
  2: 'uint8',
  4: 'int16',
  8: 'int32',
  16: 'float32',
  64: 'float64',
  256: 'int8',
  512: 'uint16',
  768: 'uint32',
  1024: 'int64',
  1280: 'uint64',
};
const DATATYPE_NAMES: Record<number, string> = {
  1: 'binary (1 bit)',
  32: 'complex64',
  128: 'rgb24',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
  2304: 'rgba32',
};
const CODE_OF: Record<Dtype, number> = {
  uint8: 2,
  int16: 4,
  int32: 8,
  float32: 16,
  float64: 64,
  int8: 256,
  uint16: 512,
  uint32: 768,
};

/**
 * Decodes a NIfTI-1 or NIfTI-2 single file (`.nii`, or `.nii.gz` bytes, detected by the gzip magic).
 * Header fields come from nifti-reader-js; voxel data of every integer and float type is read in either
 * byte order. When `scl_slope` is set and not the identity (slope 1, intercept 0), the scaled values are
 * returned as Float32Array (Float64Array for float64 data). int64/uint64 data become Int32Array when all
 * values fit. Problems (not NIfTI, truncated, unsupported type) are a `DataError` naming `source`.
 */
export function parseNifti(bytes: Uint8Array, source?: string): NiftiVolume {
  const raw = isGzip(bytes) ? decodeOrThrow(source, 'corrupt gzip stream', () => gunzipSync(bytes)) : bytes;
  const { header, headerSize } = decodeHeader(raw, source);
  if (/^ni[12]/.test(header.fields.magic)) {
    throw new DataError(source, "this is the header of a .hdr/.img pair (magic 'ni1'): read the .hdr file, whose .img holds the voxels");
  }
  if (!/^n\+[12]/.test(header.fields.magic)) {
    throw new DataError(source, `NIfTI magic '${header.fields.magic.slice(0, 3)}': not a NIfTI-1/2 file (Analyze 7.5 is not supported)`);
  }
  const offset = Math.floor(header.fields.vox_offset);
  if (!Number.isFinite(offset)) throw new DataError(source, `vox_offset ${header.fields.vox_offset} is not a number`);
  if (offset < headerSize) throw new DataError(source, `vox_offset ${header.fields.vox_offset} lies inside the header`);
  return decodeVolume(header, raw, offset, source);
}

/**
 * Decodes a NIfTI-1 (or NIfTI-2) pair: `headerBytes` from the `.hdr` file (magic `ni1`), `imageBytes`
 * from its `.img` (either may be gzipped), the voxels starting at `vox_offset` in the `.img` (usually 0).
 * Same result as `parseNifti` of the equivalent single file; `source` names the pair in errors.
 */
export function parseNiftiPair(headerBytes: Uint8Array, imageBytes: Uint8Array, source?: string): NiftiVolume {
  const rawHeader = isGzip(headerBytes) ? decodeOrThrow(source, 'corrupt gzip stream in the .hdr', () => gunzipSync(headerBytes)) : headerBytes;
  const rawImage = isGzip(imageBytes) ? decodeOrThrow(source, 'corrupt gzip stream in the .img', () => gunzipSync(imageBytes)) : imageBytes;
  const { header } = decodeHeader(rawHeader, source);
  if (!/^ni[12]/.test(header.fields.magic)) {
    const magic = header.fields.magic.slice(0, 3);
    throw new DataError(source, /^n\+[12]/.test(magic) ? "the .hdr is a single-file NIfTI (magic 'n+1'): read it as .nii" : `NIfTI magic '${magic}': not a NIfTI-1/2 header (Analyze 7.5 is not supported)`);
  }
  const offset = Math.max(0, Math.floor(header.fields.vox_offset));
  if (!Number.isFinite(offset)) throw new DataError(source, `vox_offset ${header.fields.vox_offset} is not a number`);
  return decodeVolume(header, rawImage, offset, source);
}

/** The header of a NIfTI-1/2 byte stream (single file or `.hdr`). */
function decodeHeader(raw: Uint8Array, source: string | undefined): { header: NiftiHeader; headerSize: number } {
  const version = detectVersion(raw, source);
  const headerSize = version === 1 ? 348 : 540;
  // nifti-reader-js gets the header and extensions only (up to vox_offset), not a copy of every voxel.
  const headerEnd = Math.min(raw.length, Math.max(headerSize + 4, storedVoxOffset(raw, version)));
  const buffer = raw.buffer.slice(raw.byteOffset, raw.byteOffset + headerEnd) as ArrayBuffer;
  // isHdrImgPairOK: accept the 'ni1' magic too, so that the magic check below can say what the file is.
  let fields: NIFTI1 | NIFTI2;
  try {
    fields = readHeader(buffer, true) as NIFTI1 | NIFTI2;
  } catch (error) {
    // nifti-reader-js throws TypeError/RangeError ("reading 'esize'", "Invalid typed array length", "Offset is
    // outside the bounds of the DataView") when a field or an extension's size points outside the header.
    throw new DataError(source, 'damaged NIfTI header: a field or extension size points outside the file', { cause: error });
  }
  if (!fields) throw new DataError(source, 'unreadable NIfTI header');
  const header: NiftiHeader = {
    version,
    littleEndian: fields.littleEndian,
    bytes: Uint8Array.prototype.slice.call(raw, 0, headerSize),
    fields,
  };
  return { header, headerSize };
}

/** The voxels described by `header`, read from `data` at `offset`. */
function decodeVolume(header: NiftiHeader, data: Uint8Array, offset: number, source: string | undefined): NiftiVolume {
  const fields = header.fields;
  const shape = shapeFromDims(fields.dims, source);
  const count = shapeSize(shape);
  const kind = DATATYPE_OF[fields.datatypeCode];
  if (kind === undefined) {
    const name = DATATYPE_NAMES[fields.datatypeCode] ?? `code ${fields.datatypeCode}`;
    throw new DataError(source, `unsupported NIfTI datatype ${name}`);
  }
  const itemSize = kind === 'int64' || kind === 'uint64' ? 8 : elementSize(kind);
  if (data.length < offset + count * itemSize) {
    throw new DataError(
      source,
      `truncated: ${count} voxels of ${kind} need ${offset + count * itemSize} bytes, the file has ${data.length}`,
    );
  }
  const stored =
    kind === 'int64' || kind === 'uint64'
      ? readInt64Elements(data, offset, count, kind === 'int64', fields.littleEndian, source)
      : readElements(data, offset, count, kind, fields.littleEndian);
  return {
    data: applyScaling(stored, fields.scl_slope, fields.scl_inter),
    shape,
    spacing: shape.map((_, n) => Math.abs(fields.pixDims[shape.length - n] ?? 1) || 1),
    affine: bestAffine(header),
    header,
  };
}

function storedVoxOffset(raw: Uint8Array, version: 1 | 2): number {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const littleEndian = view.getInt32(0, true) === (version === 1 ? 348 : 540);
  const offset = version === 1 ? view.getFloat32(108, littleEndian) : Number(view.getBigInt64(168, littleEndian));
  return Number.isFinite(offset) && offset > 0 ? Math.floor(offset) : 0;
}

function elementSize(dtype: Dtype): number {
  return { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 }[dtype];
}

function detectVersion(raw: Uint8Array, source: string | undefined): 1 | 2 {
  if (raw.length < 348) throw new DataError(source, `not a NIfTI file (${raw.length} bytes, shorter than a header)`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const little = view.getInt32(0, true);
  const big = view.getInt32(0, false);
  if (little === 348 || big === 348) return 1;
  if ((little === 540 || big === 540) && raw.length >= 540) return 2;
  throw new DataError(source, 'not a NIfTI file (sizeof_hdr is neither 348 nor 540)');
}

/** C-order shape from NIfTI `dim[]`: dims reversed, trailing singleton dimensions past the third dropped. */
function shapeFromDims(dims: number[], source: string | undefined): number[] {
  const rank = dims[0]!;
  if (!Number.isInteger(rank) || rank < 1 || rank > 7) throw new DataError(source, `invalid dim[0] = ${rank}`);
  const extents = dims.slice(1, rank + 1);
  if (extents.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new DataError(source, `invalid dimensions [${extents.join(', ')}]`);
  }
  while (extents.length > 3 && extents[extents.length - 1] === 1) extents.pop();
  return extents.reverse();
}

function applyScaling(data: TypedArray, slope: number, inter: number): TypedArray {
  // NIfTI: a slope of 0 (or not finite) means "no scaling"; slope 1 / intercept 0 is the identity.
  if (!Number.isFinite(slope) || slope === 0) return data;
  const intercept = Number.isFinite(inter) ? inter : 0;
  if (slope === 1 && intercept === 0) return data;
  const out = data instanceof Float64Array ? new Float64Array(data.length) : new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * slope + intercept;
  return out;
}

/** nibabel's `get_best_affine`: sform if `sform_code > 0`, else qform if `qform_code > 0`, else pixdim. */
function bestAffine(header: NiftiHeader): number[][] {
  const f = header.fields;
  if (f.sform_code > 0) return sformOf(header);
  if (f.qform_code > 0) return qformOf(f);
  return [
    [Math.abs(f.pixDims[1] ?? 1) || 1, 0, 0, 0],
    [0, Math.abs(f.pixDims[2] ?? 1) || 1, 0, 0],
    [0, 0, Math.abs(f.pixDims[3] ?? 1) || 1, 0],
    [0, 0, 0, 1],
  ];
}

// The srow vectors are read from the raw bytes: nifti-reader-js's `affine` holds the qform instead
// whenever qform_code > sform_code, and nibabel (which the Python pipelines use) prefers the sform.
function sformOf(header: NiftiHeader): number[][] {
  const view = new DataView(header.bytes.buffer, header.bytes.byteOffset, header.bytes.byteLength);
  const rows: number[][] = [];
  for (let r = 0; r < 3; r++) {
    const row: number[] = [];
    for (let c = 0; c < 4; c++) {
      row.push(
        header.version === 1
          ? view.getFloat32(280 + (r * 4 + c) * 4, header.littleEndian)
          : view.getFloat64(400 + (r * 4 + c) * 8, header.littleEndian),
      );
    }
    rows.push(row);
  }
  rows.push([0, 0, 0, 1]);
  return rows;
}

// nifti1_io's nifti_quatern_to_mat44, including its guard for b²+c²+d² slightly above 1 (nifti-reader-js
// takes the square root of a negative number there and returns NaN).
function qformOf(f: NIFTI1 | NIFTI2): number[][] {
  let b = f.quatern_b;
  let c = f.quatern_c;
  let d = f.quatern_d;
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    a = 1 / Math.sqrt(b * b + c * c + d * d);
    b *= a;
    c *= a;
    d *= a;
    a = 0;
  } else {
    a = Math.sqrt(a);
  }
  const dx = f.pixDims[1]! > 0 ? f.pixDims[1]! : 1;
  const dy = f.pixDims[2]! > 0 ? f.pixDims[2]! : 1;
  const dz0 = f.pixDims[3]! > 0 ? f.pixDims[3]! : 1;
  const dz = f.pixDims[0]! < 0 ? -dz0 : dz0;
  return [
    [(a * a + b * b - c * c - d * d) * dx, 2 * (b * c - a * d) * dy, 2 * (b * d + a * c) * dz, f.qoffset_x],
    [2 * (b * c + a * d) * dx, (a * a + c * c - b * b - d * d) * dy, 2 * (c * d - a * b) * dz, f.qoffset_y],
    [2 * (b * d - a * c) * dx, 2 * (c * d + a * b) * dy, (a * a + d * d - c * c - b * b) * dz, f.qoffset_z],
    [0, 0, 0, 1],
  ];
}

/** Options of `encodeNifti`. */
export interface EncodeNiftiOptions {
  /**
   * The source image's header: every field (orientation, sform/qform, pixdim, units, descrip...) is kept
   * byte for byte except dim, datatype, bitpix, vox_offset, scl_slope/scl_inter (set to 1/0) and
   * cal_min/cal_max (cleared); extensions are dropped. The image's in-plane and slice extents must match
   * the header's. Defaults to `image.header`.
   */
  like?: NiftiHeader;
  /** Gzip the result (for `.nii.gz`). */
  gzip?: boolean;
}

/**
 * Encodes an image as a single-file NIfTI (`.nii`, or `.nii.gz` with `gzip`). With a source header the
 * result keeps that header (see `EncodeNiftiOptions.like`), which is how label maps are written beside
 * their CT. Without one, a NIfTI-1 header is made from `spacing` and `affine` (sform_code 1, scanner;
 * qform_code 0; units mm).
 */
export function encodeNifti(image: NiftiImage, options: EncodeNiftiOptions = {}): Uint8Array {
  const { data, shape } = image;
  if (shapeSize(shape) !== data.length) {
    throw new Error(`encodeNifti: shape [${shape.join(', ')}] does not hold ${data.length} values`);
  }
  if (shape.length < 1 || shape.length > 7) throw new Error(`encodeNifti: rank ${shape.length} is not 1..7`);
  const like = options.like ?? image.header;
  const header = like ? patchedHeader(like, image) : freshHeader(image);
  const littleEndian = like ? like.littleEndian : true;
  const extensionFlag = 4;
  const body = elementBytes(data, littleEndian);
  const out = new Uint8Array(header.length + extensionFlag + body.length);
  out.set(header, 0);
  out.set(body, header.length + extensionFlag);
  return options.gzip ? gzipSync(out) : out;
}

function niftiDims(shape: readonly number[]): number[] {
  const dims = [shape.length, ...[...shape].reverse()];
  while (dims.length < 8) dims.push(1);
  return dims;
}

function patchedHeader(like: NiftiHeader, image: NiftiImage): Uint8Array {
  const dims = niftiDims(image.shape);
  const likeDims = like.fields.dims;
  for (let axis = 1; axis <= Math.min(3, image.shape.length); axis++) {
    if (dims[axis] !== (axis <= likeDims[0]! ? likeDims[axis] : 1)) {
      throw new Error(
        `encodeNifti: image shape [${image.shape.join(', ')}] does not match the source header's grid ` +
          `[${likeDims.slice(1, likeDims[0]! + 1).reverse().join(', ')}]`,
      );
    }
  }
  const bytes = Uint8Array.prototype.slice.call(like.bytes); // a copy even when like.bytes is a Node Buffer
  const view = new DataView(bytes.buffer);
  const le = like.littleEndian;
  const dtype = dtypeOf(image.data);
  const bitpix = image.data.BYTES_PER_ELEMENT * 8;
  if (like.version === 1) {
    if (dims.some((d) => d > 32767)) throw new Error('encodeNifti: dimensions above 32767 need a NIfTI-2 header');
    dims.forEach((d, n) => view.setInt16(40 + 2 * n, d, le));
    view.setInt16(70, CODE_OF[dtype], le);
    view.setInt16(72, bitpix, le);
    view.setFloat32(108, 352, le);
    view.setFloat32(112, 1, le);
    view.setFloat32(116, 0, le);
    view.setFloat32(124, 0, le);
    view.setFloat32(128, 0, le);
    bytes.set([0x6e, 0x2b, 0x31, 0x00], 344); // "n+1\0": single file even when the source was a pair
  } else {
    dims.forEach((d, n) => view.setBigInt64(16 + 8 * n, BigInt(d), le));
    view.setInt16(12, CODE_OF[dtype], le);
    view.setInt16(14, bitpix, le);
    view.setBigInt64(168, 544n, le);
    view.setFloat64(176, 1, le);
    view.setFloat64(184, 0, le);
    view.setFloat64(192, 0, le);
    view.setFloat64(200, 0, le);
  }
  return bytes;
}

function freshHeader(image: NiftiImage): Uint8Array {
  const dims = niftiDims(image.shape);
  if (dims.some((d) => d > 32767)) throw new Error('encodeNifti: dimensions above 32767 need a NIfTI-2 source header');
  const spacing = image.spacing ?? image.shape.map(() => 1);
  const ijkSpacing = [...spacing].reverse();
  const affine = image.affine ?? [
    [ijkSpacing[0] ?? 1, 0, 0, 0],
    [0, ijkSpacing[1] ?? 1, 0, 0],
    [0, 0, ijkSpacing[2] ?? 1, 0],
    [0, 0, 0, 1],
  ];
  const bytes = new Uint8Array(348);
  const view = new DataView(bytes.buffer);
  const dtype = dtypeOf(image.data);
  view.setInt32(0, 348, true);
  dims.forEach((d, n) => view.setInt16(40 + 2 * n, d, true));
  view.setInt16(70, CODE_OF[dtype], true);
  view.setInt16(72, image.data.BYTES_PER_ELEMENT * 8, true);
  const pixdim = [1, ...ijkSpacing];
  for (let n = 0; n < 8; n++) view.setFloat32(76 + 4 * n, pixdim[n] ?? 1, true);
  view.setFloat32(108, 352, true);
  view.setFloat32(112, 1, true);
  view.setUint8(123, 2); // xyzt_units: NIFTI_UNITS_MM
  bytes.set(new TextEncoder().encode('@levit-unet/datasets'), 148);
  view.setInt16(254, 1, true); // sform_code: NIFTI_XFORM_SCANNER_ANAT
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) view.setFloat32(280 + (r * 4 + c) * 4, affine[r]![c]!, true);
  }
  bytes.set([0x6e, 0x2b, 0x31, 0x00], 344);
  return bytes;
}
