export { createProgram, runCli } from './cli/program.js';
export {
  readSafetensorsFile,
  readTorchCheckpointFile,
  readTorchStateDictFile,
  writeSafetensorsFile,
} from './weights-files.js';
export { initBackend, type BackendChoice, type BackendInfo } from './backend.js';
export { modelDirIO, saveModelDir, loadModelDir, loadLeViTUNet, MODEL_JSON, WEIGHTS_BIN } from './model-dir.js';
export { readWeightsFile, importCheckpointFile, exportSafetensorsFile, type ImportCheckpointFileOptions } from './weights-import.js';
export { encodePng, writePng } from './png.js';
export { runDemo, type DemoOptions, type DemoResult, type DemoVariantResult } from './demo.js';
