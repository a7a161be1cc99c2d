/**
 * What an encoder hands to a decoder: one entry per level, finest first (the spirit of
 * segmentation_models_pytorch's `out_channels` and MONAI FlexibleUNet's feature channels).
 * Each stride is twice the previous one; the last level is the bottleneck.
 */
export interface FeaturePyramid {
  /** Downsampling factor of each level relative to the input, e.g. [2, 4, 8, 16]. */
  strides: number[];
  /** Channels of each level, e.g. LeViT-UNet-128s: [16, 32, 64, 896]. */
  channels: number[];
}

/** Checks a pyramid and throws a clear error naming the field that is wrong. */
export function validatePyramid(pyramid: FeaturePyramid): void {
  const { strides, channels } = pyramid;
  if (!Array.isArray(strides) || !Array.isArray(channels) || strides.length !== channels.length) {
    throw new Error(
      `feature pyramid: strides and channels must be arrays of the same length, got strides [${strides}] and channels [${channels}]`,
    );
  }
  if (strides.length < 2) throw new Error(`feature pyramid: need at least 2 levels, got ${strides.length}`);
  channels.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 1) throw new Error(`feature pyramid: channels[${i}] must be a positive integer, got ${c}`);
  });
  strides.forEach((s, i) => {
    const expected = i === 0 ? s : strides[i - 1] * 2;
    if (!Number.isInteger(s) || s < 1 || s !== expected) {
      throw new Error(
        `feature pyramid: strides must be positive integers, each twice the previous, got [${strides}] (strides[${i}] = ${s})`,
      );
    }
  });
}
