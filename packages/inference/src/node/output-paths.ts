import { isSamePath } from '@levit-unet/safe-fs';

/** Throws when an output path is one of the inputs (symlinks followed): a prediction must never replace the scan it came from. */
export function refuseOverwritingInputs(output: string, inputs: readonly string[]): void {
  const hit = inputs.find((input) => isSamePath(input, output));
  if (hit !== undefined) throw new Error(`${output}: output path is the input ${hit}; choose another output`);
}

/** `scan.nii.gz` → `scan`, `scan.hdr` → `scan`, `case0001.npy.h5` → `case0001`. */
export function volumeStem(fileName: string): string {
  return fileName.replace(/(\.npy)?\.h5$/i, '').replace(/\.(nii|hdr)(\.gz)?$/i, '');
}
