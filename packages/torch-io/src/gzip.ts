import { Gunzip } from 'fflate';
import { crc32 } from './crc32.js';
import { assertWithinMaxBytes, maxBytesOf, type ReadLimits } from './read-limits.js';

/** A gzip member starts with the magic bytes 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Input is pushed to the inflater in pieces this size, so output is counted as it grows: fflate inflates
 * a whole piece at once, and deflate expands at most ~1032×, so one piece yields at most ~8 MiB.
 */
const CHUNK_BYTES = 8 << 10;

/**
 * Inflates a gzip stream (fflate: browser-safe) without ever holding more than `maxBytes` of output:
 * the inflater is fed piece by piece and stopped as soon as its output passes the limit. fflate checks
 * neither the trailer's CRC-32 nor its length, so a single-member stream is verified against both here.
 * Any failure is one line naming `source`.
 */
export function gunzipBytes(bytes: Uint8Array, source = 'input', limits: ReadLimits = {}): Uint8Array {
  const maxBytes = maxBytesOf(limits);
  // ISIZE (the trailer's length mod 2^32) sizes the first buffer; it is only a hint until the end.
  const hint = bytes.length >= 18 ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true) : 0;
  let out = new Uint8Array(Math.min(Math.max(hint, 1024), maxBytes));
  let length = 0;
  let members = 0;
  const inflater = new Gunzip((chunk) => {
    assertWithinMaxBytes(length + chunk.length, maxBytes, source, 'the gunzipped data (at least)');
    if (length + chunk.length > out.length) {
      const grown = new Uint8Array(Math.min(maxBytes, Math.max(out.length * 2, length + chunk.length)));
      grown.set(out.subarray(0, length));
      out = grown;
    }
    out.set(chunk, length);
    length += chunk.length;
  });
  inflater.onmember = () => void members++;
  try {
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
      inflater.push(bytes.subarray(at, at + CHUNK_BYTES), at + CHUNK_BYTES >= bytes.length);
    }
    if (bytes.length === 0) inflater.push(bytes, true);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith(`${source}: `)) throw error;
    throw new Error(`${source}: corrupt gzip data (${message})`);
  }
  const data = out.subarray(0, length);
  if (members <= 1 && bytes.length >= 18) {
    const trailer = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 8);
    const [expectedCrc, expectedSize] = [trailer.getUint32(0, true), trailer.getUint32(4, true)];
    if ((length % 2 ** 32) !== expectedSize || crc32(data) !== expectedCrc) {
      throw new Error(`${source}: corrupt gzip data (the trailer's CRC-32 or length does not match the inflated ${length} bytes)`);
    }
  }
  return data;
}

/** The bytes themselves, or inflated when they are gzip-wrapped (`.pth.gz`, `.nii.gz`), within `maxBytes`. */
export function maybeGunzip(bytes: Uint8Array, source = 'input', limits: ReadLimits = {}): Uint8Array {
  return isGzip(bytes) ? gunzipBytes(bytes, source, limits) : bytes;
}
