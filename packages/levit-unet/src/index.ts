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
  type LeViTUNetOptions,
  type LeViTUNetConfig,
} from './model/levit-unet-model.js';
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
