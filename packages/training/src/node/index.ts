export {
  train,
  resume,
  type TrainOptions,
  type ResumeOptions,
  type TrainResult,
  type TrainProgress,
  type TrainCallbacks,
  type TrainData,
  type SynapseTrainData,
  type ValidationResult,
  type RunConfigFile,
  type ResolvedTrainConfig,
} from './train.js';
export { isTrainingRun, RUN_FILES, runPath, type TrainingState } from './run-folder.js';
export { TrainingLog, CSV_HEADER, type IterationRecord, type ValidationRecord, type LogRecord } from './training-log.js';
export { epochBatchIndices, loadBatches, type LoadedBatch } from './epoch-batches.js';
