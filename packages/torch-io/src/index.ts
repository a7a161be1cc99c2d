export { HOST_BYTE_ORDER, swapBytes, type ByteOrder } from './byte-order.js';
export { isGzip, gunzipBytes, maybeGunzip } from './gzip.js';
export {
  TENSOR_DTYPES,
  assertTensorEntry,
  dataKindOf,
  elementCount,
  int64ToInt32,
  isTensorEntry,
  type TensorData,
  type TensorDtype,
  type TensorEntry,
  type TensorMap,
  type TensorStorageRef,
} from './tensor-map.js';
export { ELEMENT_SIZES, decodeElements, encodeElements } from './element-bytes.js';
export { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './float16.js';
export {
  ALLOWED_PICKLE_GLOBALS,
  DEFAULT_MAX_PICKLE_DEPTH,
  PickleRecord,
  unpickle,
  type UnpickleLimits,
  type UnpickleOptions,
} from './torch-pickle.js';
export { crc32 } from './crc32.js';
export { DEFAULT_MAX_BYTES, assertWithinMaxBytes, ByteBudget, maxBytesOf, type ReadLimits } from './read-limits.js';
export { isZip, listZipEntries, readZipEntries, type ReadZipOptions, type ZipEntryInfo } from './zip-archive.js';
export {
  STATE_DICT_CONTAINER_KEYS,
  extractStateDict,
  readTorchCheckpoint,
  readTorchStateDict,
  type ExtractStateDictOptions,
  type ReadTorchCheckpointOptions,
  type StateDict,
  type TorchCheckpoint,
} from './torch-checkpoint.js';
export {
  isSafetensors,
  readSafetensors,
  writeSafetensors,
  type ReadSafetensorsOptions,
  type SafetensorsContents,
  type SafetensorsDtype,
  type WriteSafetensorsOptions,
} from './safetensors.js';
export { readWeights, type ReadWeightsOptions, type WeightsFormat } from './read-weights.js';
export { weightLayout, toTorchLayout, fromTorchLayout, torchShapeOf, type WeightLayout } from './torch-layout.js';
