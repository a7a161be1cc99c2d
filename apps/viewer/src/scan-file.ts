import { parseNifti, type NiftiVolume } from '@levit-unet/datasets';
import { gunzipBytes, isGzip } from '@levit-unet/torch-io';

/**
 * What one tab is asked to hold. Segmenting keeps about 16 bytes per voxel at once (the file, its voxels, the
 * float32 network input, two label maps, NiiVue's copies), so 2^27 voxels (512 × 512 × 512) is about 2 GB.
 */
export const MAX_SCAN_VOXELS = 2 ** 27;
/** The most bytes an unpacked scan file may take (a 512 × 512 × 512 float64 volume, and a gzip bomb's ceiling). */
export const MAX_SCAN_BYTES = 2 ** 30;

const formatGiB = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

function tooLarge(name: string, what: string): Error {
  return new Error(
    `${name}: ${what}, too large for this tab (at most ${MAX_SCAN_VOXELS.toLocaleString('en')} voxels, e.g. 512 × 512 × 512, ` +
      `and ${formatGiB(MAX_SCAN_BYTES)} unpacked): crop or resample the scan, or run levit-unet predict`,
  );
}

/** The size a gzip stream declares in its trailer (ISIZE, the unpacked length mod 2^32): a first, cheap check. */
function declaredUnpackedBytes(bytes: Uint8Array): number {
  return bytes.length >= 18 ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true) : 0;
}

/**
 * A scan's bytes (`.nii`, or `.nii.gz`) as a 3-D NIfTI volume, refusing before it allocates what the tab
 * cannot hold; anything wrong is one line naming `name`.
 */
export function readScan(bytes: Uint8Array, name: string): NiftiVolume {
  let raw = bytes;
  if (isGzip(bytes)) {
    const declared = declaredUnpackedBytes(bytes);
    if (declared > MAX_SCAN_BYTES) throw tooLarge(name, `${formatGiB(declared)} once unpacked`);
    try {
      raw = gunzipBytes(bytes, name, { maxBytes: MAX_SCAN_BYTES });
    } catch (error) {
      if (/maxBytes/.test((error as Error).message)) throw tooLarge(name, `more than ${formatGiB(MAX_SCAN_BYTES)} once unpacked`);
      throw error;
    }
  } else if (bytes.length > MAX_SCAN_BYTES) {
    throw tooLarge(name, `${formatGiB(bytes.length)}`);
  }
  const volume = parseNifti(raw, name);
  const voxels = volume.shape.reduce((a, b) => a * b, 1);
  if (voxels > MAX_SCAN_VOXELS) throw tooLarge(name, `${volume.shape.join(' × ')} = ${voxels.toLocaleString('en')} voxels`);
  if (volume.shape.length !== 3) {
    throw new Error(`${name}: a volume of shape [${volume.shape.join(', ')}] is not a 3-D scan (this viewer segments one 3-D CT or MRI volume)`);
  }
  return volume;
}
