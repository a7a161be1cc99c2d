import type * as tf from '@tensorflow/tfjs-core';
import type { layers } from '@tensorflow/tfjs-layers';

/** The keyword arguments tfjs passes to `Layer.call` (`training`, `mask`), taken from its public class. */
export type Kwargs = Parameters<layers.Layer['call']>[1];

/** The single input tensor of a layer call, with a clear error when a list of several was passed. */
export function singleInput(inputs: tf.Tensor | tf.Tensor[], layerName: string): tf.Tensor {
  if (!Array.isArray(inputs)) return inputs;
  if (inputs.length !== 1) throw new Error(`layer ${layerName} expects one input, got ${inputs.length}`);
  return inputs[0];
}

/** The `training` flag tfjs passes to `call` (true inside `fit`, false in `predict`). */
export function isTraining(kwargs: Kwargs | undefined): boolean {
  return kwargs?.training === true;
}

/** Checks the last axis of an input shape when a layer is built. */
export function expectChannels(shape: Array<number | null>, expected: number, layerName: string): void {
  const channels = shape[shape.length - 1];
  if (channels !== expected) {
    throw new Error(`layer ${layerName}: expected ${expected} input channels on the last axis, got shape [${shape}]`);
  }
}

/** The channel count of an NHWC input shape, with a clear error when the shape is not NHWC or the channels are unknown. */
export function nhwcChannels(shape: Array<number | null>, layerName: string): number {
  const channels = shape[3];
  if (shape.length !== 4 || channels == null) {
    throw new Error(`layer ${layerName}: expected NHWC input with known channels, got shape [${shape}]`);
  }
  return channels;
}
