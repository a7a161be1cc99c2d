export { evaluateToFolder, type EvaluateToFolderOptions, type EvaluateToFolderResult } from './evaluate-to-folder.js';
export {
  readHeldOutCases,
  type DatasetKind,
  type SplitName,
  type HeldOutCase,
  type HeldOutOptions,
  type HeldOutSet,
} from './held-out-cases.js';
export { predictScans, type PredictScansOptions, type ScanPrediction, type ScanProgress } from './predict-scans.js';
export { refuseOverwritingInputs, volumeStem } from './output-paths.js';
