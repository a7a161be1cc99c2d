import { gunzipSync } from 'fflate';

/** A gzip member starts with the magic bytes 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Inflates a gzip stream (fflate: browser-safe); a corrupt stream is one line naming `source`. */
export function gunzipBytes(bytes: Uint8Array, source = 'input'): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new Error(`${source}: corrupt gzip data (${(error as Error).message})`);
  }
}

/** The bytes themselves, or inflated when they are gzip-wrapped (`.pth.gz`, `.nii.gz`). */
export function maybeGunzip(bytes: Uint8Array, source = 'input'): Uint8Array {
  return isGzip(bytes) ? gunzipBytes(bytes, source) : bytes;
}
