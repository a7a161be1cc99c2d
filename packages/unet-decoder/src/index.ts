export { validatePyramid, type FeaturePyramid } from './feature-pyramid.js';
export type { Encoder } from './encoder.js';
export { DecoderBlock, type DecoderBlockArgs } from './decoder-block.js';
export { SegmentationHead, type SegmentationHeadArgs } from './segmentation-head.js';
export { UNetDecoder, type UNetDecoderOptions } from './unet-decoder.js';
export { ConvEncoder, type ConvEncoderOptions } from './conv-encoder.js';
export { createUNet, type CreateUNetOptions } from './unet.js';
