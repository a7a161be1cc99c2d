export type { SegmentationEngine } from './segmentation-engine.js';
export { TfjsEngine, createTfjsEngine, type TfjsEngineOptions } from './tfjs-engine.js';
export { predictLogitsArray, argmaxLabels, type ArrayLayout, type ImageBatch, type PredictArrayOptions } from './predict-array.js';
export { predictVolumeLabels, type PredictVolumeOptions } from './predict-volume-labels.js';
export {
  segmentScan,
  scanToNetworkInput,
  encodeScanLabels,
  countClassVoxels,
  classVolumesMl,
  type ScanModality,
  type ScanInputOptions,
  type SegmentScanOptions,
  type ScanSegmentation,
} from './segment-scan.js';
export { countNonFinite, checkFiniteLogits } from './finite-logits.js';
export {
  evaluateDataset,
  TRANSUNET_PROTOCOL,
  type EvaluationCase,
  type EvaluateDatasetOptions,
  type EvaluationProgress,
  type SpacingMode,
  type CaseResult,
  type ClassResult,
  type DatasetEvaluation,
} from './evaluate-dataset.js';
export { evaluationToJson, evaluationToMarkdown, evaluationToCsv, type EvaluationReportOptions } from './evaluation-report.js';
export { blendOverlay, sideBySide, SYNAPSE_PALETTE } from './overlay.js';
export { renderOverlayFigure, type OverlayFigureOptions } from './overlay-figure.js';
