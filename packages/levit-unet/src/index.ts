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
