import { resolve } from 'node:path';

/** Throws when an output path is one of the inputs: a prediction must never replace the scan it came from. */
export function refuseOverwritingInputs(output: string, inputs: readonly string[]): void {
  const target = resolve(output);
  const hit = inputs.find((input) => resolve(input) === target);
  if (hit !== undefined) throw new Error(`${output}: output path is the input ${hit}; choose another output`);
}

/** `scan.nii.gz` → `scan`, `case0001.npy.h5` → `case0001`. */
export function volumeStem(fileName: string): string {
  return fileName.replace(/(\.npy)?\.h5$/i, '').replace(/\.nii(\.gz)?$/i, '');
}
