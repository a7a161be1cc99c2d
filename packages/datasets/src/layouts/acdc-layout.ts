import { DataError } from '../data-error.js';

/** ACDC classes as distributed (ground truth values). */
export const ACDC_CLASSES = ['background', 'RV', 'Myo', 'LV'] as const;
/** 4: background, RV, Myo, LV. */
export const ACDC_NUM_CLASSES = ACDC_CLASSES.length;
/** The papers' ACDC table headings, indexed like `ACDC_CLASSES` (the same short names). */
export const ACDC_DISPLAY_NAMES = ACDC_CLASSES;

/**
 * The commonly used 70/10/20 patient split of ACDC's 100 training patients: the `lists_ACDC`
 * train/valid/test lists distributed with the preprocessed ACDC of MT-UNet / Swin-Unet follow-ups
 * (checked against github.com/sotiraslab/AgileFormer `lists/lists_ACDC`).
 */
export const ACDC_SPLIT = {
  train: [
    1, 4, 5, 6, 7, 10, 11, 13, 15, 16, 18, 20, 22, 23, 25, 26, 27, 28, 30, 31, 32, 34, 35, 36, 37, 38, 39, 40, 43, 44, 45, 46, 47,
    51, 52, 54, 56, 57, 58, 59, 60, 62, 63, 65, 66, 68, 69, 70, 72, 73, 74, 75, 77, 78, 82, 83, 84, 85, 86, 87, 89, 90, 91, 93,
    94, 96, 97, 98, 99, 100,
  ],
  valid: [19, 21, 29, 33, 41, 50, 61, 71, 76, 80],
  test: [2, 3, 8, 9, 12, 14, 17, 24, 42, 48, 49, 53, 55, 64, 67, 79, 81, 88, 92, 95],
} as const;

/** `patient007` for 7. */
export function acdcPatientName(patient: number): string {
  return `patient${String(patient).padStart(3, '0')}`;
}

/** File names of one frame: `patient007/patient007_frame01.nii.gz` and its `_gt` label. */
export function acdcFramePaths(patient: number, frame: number): { image: string; label: string } {
  const name = acdcPatientName(patient);
  const base = `${name}/${name}_frame${String(frame).padStart(2, '0')}`;
  return { image: `${base}.nii.gz`, label: `${base}_gt.nii.gz` };
}

/** The fields of a patient's `Info.cfg` (`ED: 1`, `ES: 12`, `Group: DCM`, `Height`, `NbFrame`, `Weight`). */
export interface AcdcInfo {
  ed: number;
  es: number;
  group: string;
  height: number;
  weight: number;
  frames: number;
}

/** Parses a patient's ACDC `Info.cfg` (`ED: 1`, `ES: 12`, `Group: DCM` ...); a missing or malformed field is an error naming `source`. */
export function parseAcdcInfo(text: string, source?: string): AcdcInfo {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z]+)\s*:\s*(.*?)\s*$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!);
  }
  const integer = (key: string): number => {
    const value = Number(fields.get(key));
    if (!Number.isInteger(value) || value < 1) throw new DataError(source, `Info.cfg has no valid "${key}" (got ${fields.get(key) ?? 'nothing'})`);
    return value;
  };
  return {
    ed: integer('ED'),
    es: integer('ES'),
    group: fields.get('Group') ?? '',
    height: Number(fields.get('Height') ?? NaN),
    weight: Number(fields.get('Weight') ?? NaN),
    frames: Number(fields.get('NbFrame') ?? NaN),
  };
}

/** The three list files (`train.txt`, `valid.txt`, `test.txt`) of the 70/10/20 split, one patient per line. */
export function acdcListFiles(): Record<'train.txt' | 'valid.txt' | 'test.txt', string> {
  const list = (ids: readonly number[]) => ids.map((id) => `${acdcPatientName(id)}\n`).join('');
  return { 'train.txt': list(ACDC_SPLIT.train), 'valid.txt': list(ACDC_SPLIT.valid), 'test.txt': list(ACDC_SPLIT.test) };
}
