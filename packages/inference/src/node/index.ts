export { evaluateToFolder, type EvaluateToFolderOptions, type EvaluateToFolderResult } from './evaluate-to-folder.js';
export { predictScans, type PredictScansOptions, type ScanPrediction, type ScanProgress } from './predict-scans.js';
export { refuseOverwritingInputs, volumeStem } from './output-paths.js';
