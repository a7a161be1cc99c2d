import type { NdArray, VolumeCase } from '@levit-unet/datasets';
import { evaluateCase, summarize, type CaseEvaluation, type PolicyName, type Summary } from '@levit-unet/metrics';
import { predictVolumeLabels } from './predict-volume-labels.js';
import type { SegmentationEngine } from './segmentation-engine.js';

/** The protocol tag of every evaluation here: TransUNet's `test_single_volume` + `inference()` (test.py). */
export const TRANSUNET_PROTOCOL = 'transunet-test_single_volume';

/** One held-out volume: the network's input intensities and the ground truth, both (D, H, W). */
export type EvaluationCase = VolumeCase;

/** 'voxel': distances in voxels, as TransUNet (no spacing passed to medpy); 'header': in mm from `spacingMm`. */
export type SpacingMode = 'voxel' | 'header';

/** Where an evaluation is: the case and its slices done. */
export interface EvaluationProgress {
  readonly caseName: string;
  /** 0-based index of the case, and how many cases are done before it. */
  readonly caseIndex: number;
  readonly slicesDone: number;
  readonly slicesTotal: number;
}

/** Options of `evaluateDataset`. */
export interface EvaluateDatasetOptions {
  /** Classes of the ground truth; must equal `engine.numClasses` (default). */
  numClasses?: number;
  /** Class identifiers indexed by label value (JSON keys, e.g. `SYNAPSE_CLASSES`: `aorta`, `kidney_left`). */
  classNames?: readonly string[];
  /** Table headings indexed by label value (e.g. `SYNAPSE_DISPLAY_NAMES`: `Aorta`, `Kidney(L)`). */
  displayNames?: readonly string[];
  /** Default 'voxel', as TransUNet. */
  spacing?: SpacingMode;
  /** Empty-mask policy (default 'transunet', `calculate_metric_percase`). */
  policy?: PolicyName;
  /** Slices per engine call (default 8). */
  batchSize?: number;
  /** Called after each batch of slices (a progress bar). */
  onProgress?: (progress: EvaluationProgress) => void;
  /** Receives each case's (D, H, W) prediction before the next case is read (e.g. to save it). */
  onPrediction?: (evaluationCase: EvaluationCase, prediction: NdArray<Uint8Array>) => Promise<void> | void;
}

/** One evaluated case: its metrics per class and its slice count. */
export interface CaseResult {
  readonly name: string;
  readonly evaluation: CaseEvaluation;
  readonly slices: number;
  /** Wall time of the network part (resize, engine, argmax, resize back) per slice. */
  readonly msPerSlice: number;
}

/** One class of an evaluation: its identifiers and its metrics over the cases. */
export interface ClassResult {
  readonly id: number;
  readonly name: string;
  readonly displayName: string;
  /** Mean over cases. */
  readonly dice: number;
  readonly hd95: number;
}

/** A whole evaluation: the protocol, engine and settings, per-case and per-class results, the means. */
export interface DatasetEvaluation {
  readonly protocol: typeof TRANSUNET_PROTOCOL;
  readonly engine: string;
  readonly inputSize: readonly [number, number];
  readonly policy: PolicyName;
  readonly spacing: SpacingMode;
  /** Unit of every distance (hd95 ...). */
  readonly distanceUnit: 'voxel' | 'mm';
  /** Indexed by label value, 0..numClasses-1. */
  readonly classNames: readonly string[];
  readonly displayNames: readonly string[];
  /** Per case × class values and their means (metrics' `summarize`: per class over cases, then over classes). */
  readonly summary: Summary;
  /** The papers' figures: mean over classes of the per-class means over cases. */
  readonly mean: { readonly dice: number; readonly hd95: number };
  readonly perClass: readonly ClassResult[];
  readonly cases: readonly CaseResult[];
}

function namesFor(numClasses: number, names: readonly string[] | undefined, fallback: (c: number) => string): string[] {
  return Array.from({ length: numClasses }, (_, c) => names?.[c] ?? fallback(c));
}

/**
 * TransUNet's `inference()`: every case goes through `test_single_volume` (`predictVolumeLabels`), its
 * 3-D prediction is scored per class 1..C-1 against the ground truth (`evaluateCase`, Dice and HD95 by
 * `calculate_metric_percase` under the default policy), and the figures are the mean over cases per class
 * (`metric_list / len(db_test)`), then the mean over classes. Cases are read one at a time from `cases`.
 */
export async function evaluateDataset(
  engine: SegmentationEngine,
  cases: Iterable<EvaluationCase> | AsyncIterable<EvaluationCase>,
  options: EvaluateDatasetOptions = {},
): Promise<DatasetEvaluation> {
  const numClasses = options.numClasses ?? engine.numClasses;
  if (numClasses !== engine.numClasses) {
    throw new Error(`evaluateDataset: the data have ${numClasses} classes but the ${engine.name} model predicts ${engine.numClasses}`);
  }
  const spacing = options.spacing ?? 'voxel';
  if (spacing !== 'voxel' && spacing !== 'header') throw new Error(`evaluateDataset: spacing must be 'voxel' or 'header', got "${String(spacing)}"`);
  const policy = options.policy ?? 'transunet';
  const results: CaseResult[] = [];
  const seen = new Set<string>();
  let caseIndex = 0;
  for await (const item of cases) {
    if (seen.has(item.name)) throw new Error(`evaluateDataset: two cases are named "${item.name}"`);
    seen.add(item.name);
    const { image, label } = item;
    if (image.shape.length !== 3 || label.shape.length !== 3 || image.shape.some((n, k) => n !== label.shape[k])) {
      throw new Error(`case ${item.name}: image [${image.shape.join(', ')}] and label [${label.shape.join(', ')}] must be the same (D, H, W)`);
    }
    if (spacing === 'header' && item.spacingMm?.length !== 3) {
      throw new Error(`case ${item.name}: spacing 'header' needs the voxel size (spacingMm along D, H, W), but the case has none`);
    }
    const index = caseIndex++;
    const started = performance.now();
    const prediction = await predictVolumeLabels(engine, image, {
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      source: `case ${item.name}`,
      onProgress: (done, total) => options.onProgress?.({ caseName: item.name, caseIndex: index, slicesDone: done, slicesTotal: total }),
    });
    const msPerSlice = (performance.now() - started) / image.shape[0]!;
    await options.onPrediction?.(item, prediction);
    const evaluation = evaluateCase(prediction, { data: label.data, shape: label.shape }, {
      numClasses,
      policy,
      ...(spacing === 'header' ? { spacingMm: [...item.spacingMm!] } : {}),
    });
    results.push({ name: item.name, evaluation, slices: image.shape[0]!, msPerSlice });
  }
  if (results.length === 0) throw new Error('evaluateDataset: no cases to evaluate');
  const summary = summarize(results.map(({ name, evaluation }) => ({ name, evaluation })));
  const classNames = namesFor(numClasses, options.classNames, (c) => (c === 0 ? 'background' : `class_${c}`));
  const displayNames = namesFor(numClasses, options.displayNames ?? options.classNames, (c) => classNames[c]!);
  return {
    protocol: TRANSUNET_PROTOCOL,
    engine: engine.name,
    inputSize: [...engine.inputSize] as [number, number],
    policy,
    spacing,
    distanceUnit: spacing === 'header' ? 'mm' : 'voxel',
    classNames,
    displayNames,
    summary,
    mean: { dice: summary.overall.dice.mean, hd95: summary.overall.hd95.mean },
    perClass: summary.classIds.map((id, j) => ({
      id,
      name: classNames[id]!,
      displayName: displayNames[id]!,
      dice: summary.perClass[j]!.dice.mean,
      hd95: summary.perClass[j]!.hd95.mean,
    })),
    cases: results,
  };
}
