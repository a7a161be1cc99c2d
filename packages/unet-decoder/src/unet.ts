import { input as symbolicInput, model, type LayersModel } from '@tensorflow/tfjs-layers';
import type { Encoder } from './encoder.js';
import { UNetDecoder, type UNetDecoderOptions } from './unet-decoder.js';

/** Options of `createUNet`: the encoder, input shape and the decoder's options. */
export interface CreateUNetOptions extends Omit<UNetDecoderOptions, 'pyramid'> {
  encoder: Encoder;
  /** NHWC input shape without the batch axis, e.g. [224, 224, 1]. */
  inputShape: [number, number, number];
  name?: string;
}

/** A functional UNet: any `Encoder` + the `UNetDecoder` built from its pyramid. */
export function createUNet(options: CreateUNetOptions): LayersModel {
  const { encoder, inputShape, name, ...decoderOptions } = options;
  const coarsest = encoder.pyramid.strides[encoder.pyramid.strides.length - 1];
  if (inputShape[0] % coarsest !== 0 || inputShape[1] % coarsest !== 0) {
    throw new Error(
      `createUNet: input height and width must be multiples of the encoder's coarsest stride ${coarsest}, got [${inputShape}]`,
    );
  }
  const input = symbolicInput({ shape: inputShape, name: 'image' });
  const decoder = new UNetDecoder({ ...decoderOptions, pyramid: encoder.pyramid });
  return model({ inputs: input, outputs: decoder.apply(encoder.apply(input)), name: name ?? 'unet' });
}
