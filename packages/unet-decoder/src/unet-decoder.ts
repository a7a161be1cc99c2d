import { layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { DecoderBlock } from './decoder-block.js';
import { validatePyramid, type FeaturePyramid } from './feature-pyramid.js';
import { SegmentationHead } from './segmentation-head.js';

/** Options of a `UNetDecoder`. */
export interface UNetDecoderOptions {
  pyramid: FeaturePyramid;
  numClasses: number;
  /** Output channels of the decoder blocks, coarsest first; one per pyramid level but the finest. Default [512, 256, 128] (LeViT-UNet). */
  decoderChannels?: number[];
  /** Layer names: `${blockName}${k}` (k from 1) and `headName`. Defaults are the official PyTorch module names. */
  blockName?: string;
  headName?: string;
}

/**
 * The LeViT-UNet decoder for any feature pyramid (levels f₀ … f_L, finest first, each stride twice the
 * previous): d = DecoderBlock₁(f_L); then for each finer level f_i except the finest,
 * d = DecoderBlock(concat[d, f_i]); logits = SegmentationHead(concat[d, f₀]) upsampled by strides[0].
 * Each block upsamples ×2 before its convolutions, so the skip is concatenated at the resolution it has
 * (decoder output first, skip second), exactly as the official forward.
 */
export class UNetDecoder {
  readonly pyramid: FeaturePyramid;
  readonly numClasses: number;
  readonly decoderChannels: number[];
  readonly blocks: DecoderBlock[];
  readonly head: SegmentationHead;
  private readonly concatNames: string[];

  constructor(options: UNetDecoderOptions) {
    validatePyramid(options.pyramid);
    const levels = options.pyramid.strides.length;
    const decoderChannels = options.decoderChannels ?? defaultDecoderChannels(levels - 1);
    if (decoderChannels.length !== levels - 1 || decoderChannels.some((c) => !Number.isInteger(c) || c < 1)) {
      throw new Error(
        `UNetDecoder: decoderChannels must hold ${levels - 1} positive integers (one per level but the finest of a ${levels}-level pyramid), got [${decoderChannels}]`,
      );
    }
    this.pyramid = options.pyramid;
    this.numClasses = options.numClasses;
    this.decoderChannels = decoderChannels;
    const blockName = options.blockName ?? 'decoderBlock_';
    const headName = options.headName ?? 'segmentation_head';
    this.blocks = decoderChannels.map((outChannels, k) => new DecoderBlock({ outChannels, name: `${blockName}${k + 1}` }));
    this.head = new SegmentationHead({
      numClasses: options.numClasses,
      upsampling: options.pyramid.strides[0],
      name: headName,
    });
    // The concatenation feeding block k + 1 (or the head, after the last block).
    this.concatNames = decoderChannels.map((_, k) => (k + 1 < decoderChannels.length ? `${blockName}${k + 2}_input` : `${headName}_input`));
  }

  /** Logits (B, H, W, numClasses) from the encoder's features, finest first. */
  apply(features: SymbolicTensor[]): SymbolicTensor {
    const { strides, channels } = this.pyramid;
    if (features.length !== strides.length) {
      throw new Error(`UNetDecoder: expected ${strides.length} feature maps (one per pyramid level), got ${features.length}`);
    }
    features.forEach((f, i) => {
      if (f.shape.length !== 4 || f.shape[3] !== channels[i]) {
        throw new Error(
          `UNetDecoder: feature ${i} (stride ${strides[i]}) must be NHWC with ${channels[i]} channels, got shape [${f.shape}]`,
        );
      }
    });
    const last = features.length - 1;
    let d = this.blocks[0].apply(features[last]) as SymbolicTensor;
    for (let k = 1; k <= last; k++) {
      const skip = features[last - k];
      const joined = layers.concatenate({ axis: -1, name: this.concatNames[k - 1] }).apply([d, skip]) as SymbolicTensor;
      d = (k < last ? this.blocks[k] : this.head).apply(joined) as SymbolicTensor;
    }
    return d;
  }
}

/** 512, 256, 128, 64, ...: halving from 512 as in LeViT-UNet and TransUNet. */
function defaultDecoderChannels(count: number): number[] {
  return Array.from({ length: count }, (_, k) => Math.max(16, 512 >> k));
}
