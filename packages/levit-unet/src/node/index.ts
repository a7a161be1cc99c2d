export { initBackend, BACKEND_CHOICES, type BackendChoice, type BackendInfo, type InitBackendOptions } from './backend.js';
export { enableWasmThreads, resolveWasmThreads, MAX_WASM_THREADS, type WasmThreadsOptions, type WasmThreadsResult } from './wasm-threads.js';
export { modelDirIO, saveModelDir, loadModelDir, loadLeViTUNet, isModelDir, MODEL_JSON, WEIGHTS_BIN, type SaveModelDirOptions } from './model-dir.js';
export { readWeightsFile, writeSafetensorsFile } from './weights-files.js';
export { importCheckpointFile, exportSafetensorsFile, type ImportCheckpointFileOptions } from './weights-import.js';
