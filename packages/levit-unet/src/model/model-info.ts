import type { LayersModel } from '@tensorflow/tfjs-layers';
import { getLeViTUNetConfig, type LeViTUNetConfig } from './levit-unet-model.js';

export interface LeViTUNetInfo extends LeViTUNetConfig {
  /** Parameters the optimizer updates (PyTorch's `sum(p.numel() for p in parameters())`). */
  trainableParams: number;
  /** tfjs non-trainable weights: BatchNorm running statistics and `num_batches_tracked` counters (PyTorch buffers). */
  nonTrainableParams: number;
  /** Of which BatchNorm running_mean + running_var elements (PyTorch's float buffers). */
  runningStatElements: number;
  inputShape: number[];
  outputShape: number[];
  layers: number;
}

const size = (shape: ReadonlyArray<number | null>) => shape.reduce((a: number, b) => a * (b ?? 1), 1);

/** Parameter counts and shapes of a LeViT-UNet, for one input image. */
export function describeLeViTUNet(model: LayersModel): LeViTUNetInfo {
  const config = getLeViTUNetConfig(model);
  const trainableParams = model.trainableWeights.reduce((sum, w) => sum + size(w.shape), 0);
  const nonTrainableParams = model.nonTrainableWeights.reduce((sum, w) => sum + size(w.shape), 0);
  const runningStatElements = model.nonTrainableWeights
    .filter((w) => /running_(mean|var)$/.test(w.originalName))
    .reduce((sum, w) => sum + size(w.shape), 0);
  return {
    ...config,
    trainableParams,
    nonTrainableParams,
    runningStatElements,
    inputShape: [1, ...(model.inputs[0].shape.slice(1) as number[])],
    outputShape: [1, ...(model.outputs[0].shape.slice(1) as number[])],
    layers: model.layers.length,
  };
}
