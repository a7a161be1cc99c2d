import { DataError } from '../data-error.js';

/** The case key of a NIfTI file name: extension, nnU-Net channel suffix (`_0000`), `img`/`label` prefixes and `_gt`/`_seg`/`_label`/`_mask` suffixes removed; null for non-NIfTI names. */
export function niftiCaseKey(fileName: string): string | null {
  const match = /^(.*?)\.nii(\.gz)?$/i.exec(fileName);
  if (!match || match[1]!.startsWith('.')) return null;
  return match[1]!
    .replace(/_\d{4}$/, '')
    .replace(/[_-]?(gt|seg|label|labels|mask)$/i, '')
    .replace(/^(img|image|images|label|labels|seg|mask)[_-]?(?=\w)/i, '');
}

/** Images paired with labels by case key, and the files left without a partner. */
export interface NiftiPairing<T extends string = string> {
  pairs: Array<{ key: string; image: T; label: T }>;
  unmatchedImages: T[];
  unmatchedLabels: T[];
}

/**
 * Pairs image and label files by case key (`img0001.nii.gz` ↔ `label0001.nii.gz`, nnU-Net's
 * `la_003_0000.nii.gz` ↔ `la_003.nii.gz`, identical names). Non-NIfTI names are ignored.
 */
export function pairByCaseKey<T extends string>(images: readonly T[], labels: readonly T[]): NiftiPairing<T> {
  const labelByKey = new Map<string, T>();
  for (const label of labels) {
    const key = niftiCaseKey(label.split('/').pop()!);
    if (key !== null) labelByKey.set(key, label);
  }
  const pairs: Array<{ key: string; image: T; label: T }> = [];
  const unmatchedImages: T[] = [];
  const used = new Set<string>();
  for (const image of [...images].sort()) {
    const key = niftiCaseKey(image.split('/').pop()!);
    if (key === null) continue;
    const label = labelByKey.get(key);
    if (label === undefined) unmatchedImages.push(image);
    else {
      pairs.push({ key, image, label });
      used.add(key);
    }
  }
  const unmatchedLabels = [...labelByKey.entries()].filter(([key]) => !used.has(key)).map(([, label]) => label);
  return { pairs, unmatchedImages, unmatchedLabels };
}

/** What a Medical Segmentation Decathlon / nnU-Net `dataset.json` says about a dataset. */
export interface MsdDescription {
  name: string;
  /** Modality of the first channel, lower-cased ('ct', 'mri', ...). */
  modality: string;
  /** Label id → name. */
  labels: Record<number, string>;
  numClasses: number;
  /** Explicit training pairs (MSD v1 `training`), relative to the dataset folder; empty for nnU-Net v2. */
  training: Array<{ image: string; label: string }>;
  /** nnU-Net v2 `file_ending` (default `.nii.gz`). */
  fileEnding: string;
}

/** Parses MSD (`labels: {"0": "background"}`, `modality`, `training`) and nnU-Net v2 (`labels: {"background": 0}`, `channel_names`) dataset.json files. */
export function parseMsdDatasetJson(text: string, source?: string): MsdDescription {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new DataError(source, `not valid JSON (${(error as Error).message})`);
  }
  const rawLabels = (json.labels ?? {}) as Record<string, unknown>;
  const labels: Record<number, string> = {};
  for (const [k, v] of Object.entries(rawLabels)) {
    if (/^\d+$/.test(k) && typeof v === 'string') labels[Number(k)] = v;
    else if (typeof v === 'number' && Number.isInteger(v)) labels[v] = k;
    else if (Array.isArray(v)) continue; // nnU-Net region-based labels: ids are listed per region
    else throw new DataError(source, `unrecognised labels entry "${k}": ${JSON.stringify(v)}`);
  }
  const ids = Object.keys(labels).map(Number);
  if (ids.length === 0) throw new DataError(source, 'dataset.json has no labels');
  const channels = (json.modality ?? json.channel_names ?? {}) as Record<string, string>;
  const training = Array.isArray(json.training)
    ? (json.training as Array<{ image?: unknown; label?: unknown }>).map((entry, n) => {
        if (typeof entry.image !== 'string' || typeof entry.label !== 'string') {
          throw new DataError(source, `training[${n}] needs "image" and "label" paths`);
        }
        return { image: entry.image.replace(/^\.\//, ''), label: entry.label.replace(/^\.\//, '') };
      })
    : [];
  return {
    name: typeof json.name === 'string' ? json.name : '',
    modality: String(channels['0'] ?? 'unknown').toLowerCase(),
    labels,
    numClasses: Math.max(...ids) + 1,
    training,
    fileEnding: typeof json.file_ending === 'string' ? json.file_ending : '.nii.gz',
  };
}
