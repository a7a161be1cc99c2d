import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fromAxialStack, type LabelMap, type NdArray } from '@levit-unet/datasets';
import { readDatasetCases, writeNifti, type DatasetCase, type DatasetKind, type SplitName } from '@levit-unet/datasets/node';
import type { MetricName, PolicyName } from '@levit-unet/metrics';
import { atomicWriteFile } from '@levit-unet/safe-fs';
import { evaluateDataset, type DatasetEvaluation, type EvaluationProgress, type SpacingMode } from '../evaluate-dataset.js';
import { evaluationToCsv, evaluationToJson, evaluationToMarkdown } from '../evaluation-report.js';
import type { SegmentationEngine } from '../segmentation-engine.js';

import { refuseOverwritingInputs } from './output-paths.js';

/** Options of `evaluateToFolder`: the dataset, the engine's settings, and what is written. */
export interface EvaluateToFolderOptions {
  dataRoot: string;
  dataset: DatasetKind;
  /** Default 'test' (Synapse, ACDC) or 'all' (NIfTI folder). */
  split?: SplitName;
  /** Folder for metrics.json, metrics.md and metrics.csv (created when absent). */
  out: string;
  /** Folder for each case's predicted label map, `<case>.nii.gz` (uint8, the source's header and affine when NIfTI). */
  savePredictions?: string;
  /** Default 'voxel' (TransUNet); 'header' gives mm (NIfTI and ACDC only: Synapse .npy.h5 has no voxel size). */
  spacing?: SpacingMode;
  policy?: PolicyName;
  batchSize?: number;
  /** NIfTI folders: as `prepareVolume` (default CT, TransUNet's window). */
  modality?: 'ct' | 'mr';
  window?: readonly [number, number];
  labelMap?: LabelMap;
  /** Override the layout's class identifiers / headings (indexed by label value). */
  classNames?: readonly string[];
  displayNames?: readonly string[];
  /** Metrics in metrics.json and metrics.csv (default all). */
  metrics?: readonly MetricName[];
  /** Called after each batch of slices, with the number of cases. */
  onProgress?: (progress: EvaluationProgress & { readonly casesTotal: number }) => void;
}

/** The evaluation and the files `evaluateToFolder` wrote. */
export interface EvaluateToFolderResult {
  evaluation: DatasetEvaluation;
  files: { json: string; markdown: string; csv: string; predictions: string[] };
}

async function savePrediction(dir: string, item: DatasetCase, prediction: NdArray<Uint8Array>): Promise<string> {
  const path = join(dir, `${item.name}.nii.gz`);
  refuseOverwritingInputs(path, item.sources);
  if (item.nifti) {
    const stored = fromAxialStack(prediction, item.nifti.affine);
    await writeNifti(path, { data: stored.data, shape: stored.shape }, { like: item.nifti.header });
  } else {
    await writeNifti(path, { data: prediction.data, shape: prediction.shape });
  }
  return path;
}

/**
 * Evaluates `engine` on a dataset's held-out cases (see `readDatasetCases`) with TransUNet's protocol and
 * writes `out/metrics.json` (the metrics package's schema plus dataset, split and engine), `out/metrics.md`
 * (the papers' table, then per case) and `out/metrics.csv`, each atomically; optionally each prediction as NIfTI.
 */
export async function evaluateToFolder(engine: SegmentationEngine, options: EvaluateToFolderOptions): Promise<EvaluateToFolderResult> {
  if (options.dataset === 'synapse' && options.spacing === 'header') {
    throw new Error(`${options.dataRoot}: spacing 'header' needs voxel sizes, but Synapse .npy.h5 test volumes carry none; use 'voxel'`);
  }
  const held = await readDatasetCases({
    dataRoot: options.dataRoot,
    dataset: options.dataset,
    numClasses: engine.numClasses,
    ...(options.split ? { split: options.split } : {}),
    ...(options.modality ? { modality: options.modality } : {}),
    ...(options.window ? { window: options.window } : {}),
    ...(options.labelMap ? { labelMap: options.labelMap } : {}),
  });
  const predictions: string[] = [];
  if (options.savePredictions) await mkdir(options.savePredictions, { recursive: true });
  const classNames = options.classNames ?? held.classNames;
  const displayNames = options.displayNames ?? held.displayNames;
  const evaluation = await evaluateDataset(engine, held.cases, {
    ...(classNames ? { classNames } : {}),
    ...(displayNames ? { displayNames } : {}),
    ...(options.spacing ? { spacing: options.spacing } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    onProgress: (p) => options.onProgress?.({ ...p, casesTotal: held.names.length }),
    ...(options.savePredictions
      ? { onPrediction: async (item, prediction) => void predictions.push(await savePrediction(options.savePredictions!, item as DatasetCase, prediction)) }
      : {}),
  });
  const split = options.split ?? (options.dataset === 'nifti' ? 'all' : 'test');
  const reportOptions = { ...(options.metrics ? { metrics: options.metrics } : {}), extra: { dataset: options.dataset, split } };
  await mkdir(options.out, { recursive: true });
  const files = { json: join(options.out, 'metrics.json'), markdown: join(options.out, 'metrics.md'), csv: join(options.out, 'metrics.csv'), predictions };
  await atomicWriteFile(files.json, JSON.stringify(evaluationToJson(evaluation, reportOptions), null, 2) + '\n');
  await atomicWriteFile(files.markdown, evaluationToMarkdown(evaluation, `${options.dataset} ${split}`));
  await atomicWriteFile(files.csv, evaluationToCsv(evaluation, reportOptions));
  return { evaluation, files };
}
