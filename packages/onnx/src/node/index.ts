export { createOnnxRuntimeEngine, type OnnxRuntimeEngine, type OnnxRuntimeEngineOptions } from './onnxruntime-engine.js';
export { exportOnnxFile } from './export-onnx-file.js';
