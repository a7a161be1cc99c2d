export { train, resume, type TrainOptions, type ResumeOptions } from './train.js';
export type { TrainResult, TrainProgress, TrainCallbacks, ValidationResult } from './train-loop.js';
export type { TrainData, SynapseTrainData, TrainDataDescription } from './train-data.js';
export type { RunConfigFile, ResolvedTrainConfig } from './run-config.js';
export { isTrainingRun, RUN_FILES, runPath, type TrainingState } from './run-folder.js';
export { TrainingLog, CSV_HEADER, type IterationRecord, type ValidationRecord, type LogRecord } from './training-log.js';
export { epochBatchIndices, loadBatches, type LoadedBatch } from './epoch-batches.js';
export { createOnnxRuntimeTrainingEngine, type OnnxRuntimeTrainingEngineOptions } from './onnxruntime-training-engine.js';
