import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { LeViTConv2dBN } from './conv2d-bn.js';
import { LeViTHardswish } from './hardswish.js';

/** Options of `convStem`: its width and layer names. */
export interface ConvStemOptions {
  /** Output width n; the four convolutions give n/8, n/4, n/2, n channels. */
  width: number;
  /** Layer names `${namePrefix}1.0`, `${namePrefix}1.1`, ... (LeViT-UNet's `cnn_b1.0` = conv, `.1` = Hardswish). */
  namePrefix?: string;
}

/**
 * LeViT's conv stem `b16` as LeViT-UNet splits it: four Conv2d_BN 3×3 stride 2 (padding 1), a Hardswish
 * after the first three and none after the last. Returns the four feature maps at strides 2, 4, 8, 16.
 */
export function convStem(input: SymbolicTensor, options: ConvStemOptions): SymbolicTensor[] {
  const { width } = options;
  if (!Number.isInteger(width / 8) || width < 8) {
    throw new Error(`conv stem width must be a positive multiple of 8, got ${width}`);
  }
  const prefix = options.namePrefix ?? 'cnn_b';
  const channels = [width / 8, width / 4, width / 2, width];
  const features: SymbolicTensor[] = [];
  let x = input;
  channels.forEach((filters, i) => {
    const conv = new LeViTConv2dBN({ filters, kernelSize: 3, strides: 2, padding: 1, name: `${prefix}${i + 1}.0` });
    x = conv.apply(x) as SymbolicTensor;
    if (i < 3) x = new LeViTHardswish({ name: `${prefix}${i + 1}.1` }).apply(x) as SymbolicTensor;
    features.push(x);
  });
  return features;
}
