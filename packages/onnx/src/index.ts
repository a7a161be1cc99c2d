export { exportOnnx, SUPPORTED_LAYER_CLASSES, DEFAULT_OPSET, MIN_OPSET, MAX_OPSET, type ExportOnnxOptions } from './export-onnx.js';
export { summarizeOnnxModel, type OnnxModelSummary, type OnnxSignatureEntry } from './onnx-model-summary.js';
export { decodeOnnxModel, encodeOnnxModel, type OnnxModel } from './onnx-proto.js';
