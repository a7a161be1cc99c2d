import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { FeaturePyramid } from './feature-pyramid.js';

/**
 * An encoder is anything that turns an NHWC input into a feature pyramid. `apply` builds the encoder's
 * layers on a symbolic input and returns one tensor per pyramid level, finest first, with the shapes
 * `pyramid` promises: level i is (B, H / strides[i], W / strides[i], channels[i]).
 * `UNetDecoder` needs nothing else, so any encoder that implements this gets a matching decoder.
 */
export interface Encoder {
  readonly pyramid: FeaturePyramid;
  /** The features of `input` at every pyramid level, finest first. */
  apply(input: SymbolicTensor): SymbolicTensor[];
}
