/**
 * The datasets readers as fuzz targets over the committed fixtures (files written by numpy, nibabel and
 * h5py): .npy, .npz (stored and deflated), NIfTI-1 (.nii, .nii.gz) and HDF5. Shared by test/fuzz.test.ts
 * and bench/fuzz.ts.
 */
import type { FuzzSeed, FuzzTarget } from '@levit-unet/test-utils/fuzz';
import { parseH5 } from '../src/io/h5.js';
import { parseNifti } from '../src/io/nifti.js';
import { parseNpy } from '../src/io/npy.js';
import { parseNpz } from '../src/io/npz.js';
import { fixtureBytes } from './fixtures.js';

/** Readers under fuzzing may allocate at most this much; anything claiming more must be refused. */
export const FUZZ_MAX_BYTES = 64 << 20;

const seeds = (names: string[]): FuzzSeed[] => names.map((name) => ({ name, bytes: fixtureBytes(name) }));

const arrayBytes = (arrays: Record<string, { data: ArrayBufferView }>) => Object.values(arrays).reduce((n, a) => n + a.data.byteLength, 0);

export function datasetsTargets(): FuzzTarget[] {
  return [
    {
      name: 'npy',
      seeds: seeds(['npy/f4_le.npy', 'npy/f8_be.npy', 'npy/fortran.npy', 'npy/i8_big.npy', 'npy/f2.npy', 'npy/u2.npy', 'npy/scalar.npy']),
      // .npy has no size limit of its own: its data must be in the file (at most 2× it once widened).
      maxResultBytes: FUZZ_MAX_BYTES,
      read: (bytes, source) => parseNpy(bytes, source).data.byteLength,
    },
    {
      name: 'npz',
      seeds: seeds(['npy/slice_deflated.npz', 'npy/slice_stored.npz', 'npy/image_only.npz']),
      maxResultBytes: FUZZ_MAX_BYTES,
      read: (bytes, source) => arrayBytes(parseNpz(bytes, { source, maxBytes: FUZZ_MAX_BYTES })),
    },
    {
      name: 'NIfTI',
      seeds: seeds(['nifti/n1_f4_bigendian_qform.nii', 'nifti/n1_i2_scaled_sform.nii', 'nifti/n1_u1_labels.nii.gz', 'nifti/n2_f8_4d.nii']),
      maxResultBytes: FUZZ_MAX_BYTES,
      read: (bytes, source) => parseNifti(bytes, source).data.byteLength,
    },
    {
      name: 'HDF5',
      seeds: seeds(['h5/case0099.npy.h5', 'h5/gzip_int64.h5']),
      maxResultBytes: FUZZ_MAX_BYTES,
      read: async (bytes, source) => arrayBytes(await parseH5(bytes, { source, maxBytes: FUZZ_MAX_BYTES })),
    },
  ];
}
