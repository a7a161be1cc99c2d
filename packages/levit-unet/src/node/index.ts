export { initBackend, BACKEND_CHOICES, type BackendChoice, type BackendInfo } from './backend.js';
export { modelDirIO, saveModelDir, loadModelDir, loadLeViTUNet, isModelDir, MODEL_JSON, WEIGHTS_BIN, type SaveModelDirOptions } from './model-dir.js';
export { readWeightsFile, writeSafetensorsFile } from './weights-files.js';
export { importCheckpointFile, exportSafetensorsFile, type ImportCheckpointFileOptions } from './weights-import.js';
