export { createOnnxRuntimeEngine, type OnnxRuntimeEngine, type OnnxRuntimeEngineOptions } from './onnxruntime-engine.js';
export { exportOnnxFile } from './export-onnx-file.js';
export {
  createOnnxRuntimeTrainer,
  type OnnxRuntimeTrainer,
  type OnnxRuntimeTrainerOptions,
  type TrainerBatch,
  type TrainerStepResult,
  type TrainerOptimizerState,
} from './onnxruntime-trainer.js';
export { probeTrainingDevice, type TrainingDevice } from './training-device.js';
