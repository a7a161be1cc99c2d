export { createOnnxRuntimeEngine, type OnnxRuntimeEngine, type OnnxRuntimeEngineOptions } from './onnxruntime-engine.js';
export { exportOnnxFile } from './export-onnx-file.js';
export { createOnnxRuntimeTrainer, type OnnxRuntimeTrainerOptions } from './onnxruntime-trainer.js';
export type { OnnxRuntimeTrainer, TrainerBatch, TrainerStepResult, TrainerOptimizerState } from '../training/onnx-trainer.js';
export { probeTrainingDevice, type TrainingDevice } from './training-device.js';
