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
// Seeding for runs that build a model (training's `seed`): the layers' own module instance.
export { withInitSeed, seedDropPath } from '@levit-unet/levit-blocks';
export { describeLeViTUNet, type LeViTUNetInfo } from './model/model-info.js';
export { stateDictSlots, isEncoderKey, type StateDictSlot } from './weights/key-map.js';
export { loadStateDict, type LoadStateDictOptions, type LoadReport, type ShapeMismatch, type NonFiniteWeight } from './weights/state-dict-import.js';
export { exportStateDict, type ExportStateDictOptions } from './weights/state-dict-export.js';
export {
  importImageNetLeViT,
  detectCheckpointKind,
  type StemInit,
  type CheckpointKind,
  type ImageNetImportOptions,
  type ImageNetImportReport,
} from './weights/imagenet-import.js';
export { importCheckpoint, type CheckpointImportOptions, type CheckpointImportResult } from './weights/checkpoint-import.js';
