export { exportOnnx, SUPPORTED_LAYER_CLASSES, DEFAULT_OPSET, MIN_OPSET, MAX_OPSET, type ExportOnnxOptions } from './export-onnx.js';
export { summarizeOnnxModel, type OnnxModelSummary, type OnnxSignatureEntry } from './onnx-model-summary.js';
export { decodeOnnxModel, encodeOnnxModel, type OnnxModel } from './onnx-proto.js';
export {
  createOnnxEngine,
  readOnnxSegmentationSignature,
  type OnnxEngine,
  type OnnxEngineOptions,
  type OnnxInferenceRuntime,
  type OnnxSegmentationSignature,
} from './onnx-engine.js';
export {
  buildTrainingGraph,
  TRAINABLE_LAYER_CLASSES,
  TRAINING_OPSET,
  type TrainingGraph,
  type TrainingGraphOptions,
  type TrainingOptimizerConfig,
} from './training/training-graph.js';
export type { GraphParameter, DropPathInput } from './training/training-context.js';
export type { OptimizerGraph, OptimizerSlot } from './training/optimizer-graph.js';
export { GRADIENT_RULES } from './gradients/register-all-gradients.js';
export { buildGradients } from './gradients/build-gradients.js';
export { DEFAULT_GRADIENT_FORMULATIONS, type GradientRule, type GradientContext, type GradientFormulations } from './gradients/gradient-rule.js';
export { OnnxGraphBuilder } from './onnx-graph-builder.js';
export {
  createOnnxTrainer,
  type OnnxTrainerOptions,
  type OnnxRuntimeLike,
  type OnnxSessionLike,
  type OnnxTensorLike,
  type OnnxRuntimeTrainer,
  type TrainerBatch,
  type TrainerStepResult,
  type TrainerOptimizerState,
} from './training/onnx-trainer.js';
