export {
  LEVIT_UNET_SPECS,
  LEVIT_UNET_VARIANTS,
  getSpec,
  encoderModules,
  type LeViTSpec,
  type LeViTUNetVariant,
  type EncoderModule,
} from './model/specs.js';
export { LeViTEncoder, createLeViTEncoder, type LeViTEncoderOptions } from './model/levit-encoder.js';
export {
  createLeViTUNet,
  getLeViTUNetConfig,
  findLeViTUNetConfig,
  type LeViTUNetOptions,
  type LeViTUNetConfig,
} from './model/levit-unet-model.js';
export { describeLeViTUNet, type LeViTUNetInfo } from './model/model-info.js';
export {
  TENSOR_DTYPES,
  assertTensorEntry,
  elementCount,
  int64ToInt32,
  isTensorEntry,
  type TensorData,
  type TensorDtype,
  type TensorEntry,
  type TensorMap,
  type TensorStorageRef,
} from './io/tensor-map.js';
export { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './io/float16.js';
export { ALLOWED_PICKLE_GLOBALS, PickleRecord } from './io/torch-pickle.js';
export {
  STATE_DICT_CONTAINER_KEYS,
  extractStateDict,
  readTorchCheckpoint,
  readTorchStateDict,
  type ExtractStateDictOptions,
  type ReadTorchCheckpointOptions,
  type StateDict,
  type TorchCheckpoint,
} from './io/torch-checkpoint.js';
export {
  readSafetensors,
  writeSafetensors,
  type ReadSafetensorsOptions,
  type SafetensorsContents,
  type SafetensorsDtype,
  type WriteSafetensorsOptions,
} from './io/safetensors.js';
export { weightLayout, toTorchLayout, fromTorchLayout, torchShapeOf, type WeightLayout } from './io/torch-layout.js';
export { stateDictSlots, flatBlocksKey, slicedBlocksKey, isEncoderKey, type StateDictSlot } from './io/key-map.js';
export { loadStateDict, type LoadStateDictOptions, type LoadReport, type ShapeMismatch } from './io/state-dict-import.js';
export { exportStateDict, type ExportStateDictOptions } from './io/state-dict-export.js';
export {
  importImageNetLeViT,
  detectCheckpointKind,
  type StemInit,
  type CheckpointKind,
  type ImageNetImportOptions,
  type ImageNetImportReport,
} from './io/imagenet-import.js';
export { importCheckpoint, type CheckpointImportOptions, type CheckpointImportResult } from './io/checkpoint-import.js';
export { predictLogitsArray, argmaxLabels, type ArrayLayout, type ImageBatch, type PredictArrayOptions } from './inference/predict-array.js';
export { blendOverlay, sideBySide, SYNAPSE_PALETTE, type RgbaImage } from './visualize/overlay.js';
