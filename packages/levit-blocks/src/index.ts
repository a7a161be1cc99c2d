export { BatchNorm, BN_EPSILON, BN_MOMENTUM, type BatchNormOptions, type WeightAdder } from './batch-norm.js';
export { ModuleLayer, type LayerArgs } from './module-layer.js';
export { InferenceCache, type TensorRecord } from './inference-cache.js';
export { conv2dBatchNorm, linearBatchNorm, type FusedActivation } from './conv-bn-ops.js';
export { LeViTConv2dBN, type LeViTConv2dBNArgs } from './conv2d-bn.js';
export { LeViTLinearBN, type LeViTLinearBNArgs } from './linear-bn.js';
export { LeViTHardswish } from './hardswish.js';
export { hardswish } from './activations.js';
export {
  attentionBiasIndex,
  subsampledResolution,
  type AttentionBiasIndex,
} from './attention-bias-index.js';
export { LeViTAttentionBase, type AttentionGeometry } from './attention-base.js';
export { LeViTAttention, type LeViTAttentionArgs } from './levit-attention.js';
export { LeViTAttentionSubsample, type LeViTAttentionSubsampleArgs } from './attention-subsample.js';
export { LeViTMLP, type LeViTMLPArgs } from './levit-mlp.js';
export { LeViTResidual, type LeViTResidualArgs } from './residual.js';
export { LeViTResizeBilinear, type LeViTResizeBilinearArgs } from './resize-bilinear.js';
export { convStem, type ConvStemOptions } from './conv-stem.js';
export { torchDefaultKernelInit, torchDefaultBiasInit } from './torch-init.js';
export { withInitSeed, nextInitSeed } from './init-seed.js';
export { seedDropPath } from './seed-drop-path.js';
export { registerWasmTrainingKernels } from './wasm-training-kernels.js';
export { singleInput, isTraining, expectChannels, nhwcChannels, type Kwargs } from './layer-utils.js';
export { batchNormTraining, productBatchNormTraining, batchNormForward, batchNormBackward, batchStatistics, channelSums, type BatchNormActivation, type BatchNormProduct, type BatchNormTrainingOptions, type BatchStatistics } from './batch-norm-gradient.js';
export { hardswishDerivative } from './hardswish-gradient.js';
export { conv2dFilterGradient } from './conv2d-filter-gradient.js';
export type { ConvPadding } from './conv-padding.js';
