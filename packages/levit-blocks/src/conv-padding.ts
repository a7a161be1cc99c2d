import * as tf from '@tensorflow/tfjs-core';

/** Zero padding added to each side of a convolution's input (rows: top/bottom, columns: left/right). */
export interface ConvPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * A stride-1 NHWC convolution with zero padding per side, where a negative side crops the input
 * instead. Both convolution gradients need it: the filter gradient reads fewer padded rows than the
 * forward had, and the input gradient pads by the kernel size minus the forward padding.
 */
export function conv2dWithPadding(x: tf.Tensor4D, filter: tf.Tensor4D, pad: ConvPadding, dilations: [number, number] = [1, 1]): tf.Tensor4D {
  const [, height, width] = x.shape;
  const crop = { top: Math.max(-pad.top, 0), bottom: Math.max(-pad.bottom, 0), left: Math.max(-pad.left, 0), right: Math.max(-pad.right, 0) };
  const input =
    crop.top + crop.bottom + crop.left + crop.right === 0
      ? x
      : tf.slice(x, [0, crop.top, crop.left, 0], [-1, height - crop.top - crop.bottom, width - crop.left - crop.right, -1]);
  return tf.conv2d(
    input,
    filter,
    1,
    [
      [0, 0],
      [Math.max(pad.top, 0), Math.max(pad.bottom, 0)],
      [Math.max(pad.left, 0), Math.max(pad.right, 0)],
      [0, 0],
    ],
    'NHWC',
    dilations,
  );
}
