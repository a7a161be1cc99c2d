export { evaluateToFolder, type EvaluateToFolderOptions, type EvaluateToFolderResult } from './evaluate-to-folder.js';
export {
  predictScans,
  type PredictScansOptions,
  type PredictScansSummary,
  type ScanOutcome,
  type ScanPrediction,
  type ScanProgress,
} from './predict-scans.js';
export { checkCohortPart, cohortPartIndices, type CohortPart } from './cohort-part.js';
export { refuseOverwritingInputs, volumeStem } from './output-paths.js';
