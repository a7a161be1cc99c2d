import {
  LeViTAttentionSubsample,
  convStem,
  LeViTAttention,
  LeViTMLP,
  LeViTResidual,
  LeViTResizeBilinear,
  subsampledResolution,
} from '@levit-unet/levit-blocks';
import type { Encoder, FeaturePyramid } from '@levit-unet/unet-decoder';
import { layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { encoderModules, getSpec, type LeViTSpec, type LeViTUNetVariant } from './specs.js';

/** Options of `createLeViTEncoder`. */
export interface LeViTEncoderOptions {
  variant: LeViTUNetVariant;
  /** Input side in pixels; a multiple of 32 (the stage-1 token grid imgSize/16 must be even, as in the official forward). */
  imgSize?: number;
  /** Override the variant's drop-path probability. */
  dropPath?: number;
}

/**
 * The LeViT-UNet encoder: conv stem (strides 2, 4, 8, 16), three LeViT stages on the stride-16 tokens,
 * and the transformer maps brought back to the stride-16 grid: stage 2 upsampled ×2, stage 3 ×2 twice
 * then resized to the stage-1 grid (bilinear, align_corners=True). Pyramid levels: the stem outputs at
 * strides 2, 4, 8 and the bottleneck concat[stem, stage 1, stage 2 up, stage 3 up] at stride 16.
 */
export class LeViTEncoder implements Encoder {
  readonly variant: LeViTUNetVariant;
  readonly spec: LeViTSpec;
  readonly imgSize: number;
  readonly dropPath: number;
  readonly pyramid: FeaturePyramid;
  /** Token grid side of each stage: imgSize/16, then (r − 1) // 2 + 1 twice (14, 7, 4 at 224). */
  readonly resolutions: [number, number, number];

  constructor(options: LeViTEncoderOptions) {
    this.variant = options.variant;
    this.spec = getSpec(options.variant);
    this.imgSize = options.imgSize ?? 224;
    if (!Number.isInteger(this.imgSize) || this.imgSize < 32 || this.imgSize % 32 !== 0) {
      throw new Error(
        `imgSize must be a positive multiple of 32 (the attention grids are built for imgSize/16 tokens per side, which must be even), got ${options.imgSize}`,
      );
    }
    this.dropPath = options.dropPath ?? this.spec.dropPath;
    const r1 = this.imgSize / 16;
    const r2 = subsampledResolution(r1, this.spec.subsampleStride);
    this.resolutions = [r1, r2, subsampledResolution(r2, this.spec.subsampleStride)];
    const n = this.spec.embedDim[0];
    const [c1, c2, c3] = this.spec.embedDim;
    this.pyramid = { strides: [2, 4, 8, 16], channels: [n / 8, n / 4, n / 2, n + c1 + c2 + c3] };
  }

  /** The feature pyramid of `input` (N, imgSize, imgSize, C), finest first. */
  apply(input: SymbolicTensor): SymbolicTensor[] {
    const { spec } = this;
    const [, h, w] = input.shape;
    // The attention bias tables are built for one token grid, so the encoder takes exactly imgSize × imgSize.
    if (input.shape.length !== 4 || h !== this.imgSize || w !== this.imgSize) {
      throw new Error(
        `LeViT-UNet-${this.variant} encoder built for ${this.imgSize}×${this.imgSize} inputs got input shape [${input.shape}]: ` +
          `expected [batch, ${this.imgSize}, ${this.imgSize}, channels] (build it with imgSize: ${h ?? '?'} for that size)`,
      );
    }
    const [r1, r2, r3] = this.resolutions;
    const n = spec.embedDim[0];
    const [x1, x2, x3, xc] = convStem(input, { width: n });
    // Tokens in row-major grid order (index h·r + w), as `flatten(2).transpose(1, 2)` of NCHW.
    let tokens = layers.reshape({ targetShape: [r1 * r1, n], name: 'tokens' }).apply(xc) as SymbolicTensor;
    const stageOutputs: SymbolicTensor[] = [];
    let resolution = r1;
    let dim = n;
    let stage = 1;
    let previousKind: string | null = null;
    for (const module of encoderModules(spec)) {
      if (module.stage !== stage) {
        stageOutputs.push(tokens);
        stage = module.stage;
      }
      const name = `block_${module.stage}.${module.index}`;
      const s = module.stage - 1;
      if (module.kind === 'subsample') {
        const outDim = spec.embedDim[s];
        tokens = new LeViTAttentionSubsample({
          inDim: dim,
          outDim,
          keyDim: spec.keyDim,
          numHeads: spec.embedDim[s - 1] / spec.keyDim,
          attnRatio: spec.subsampleAttnRatio,
          stride: spec.subsampleStride,
          resolution,
          name,
        }).apply(tokens) as SymbolicTensor;
        resolution = subsampledResolution(resolution, spec.subsampleStride);
        dim = outDim;
        previousKind = module.kind;
        continue;
      }
      // The MLP right after a subsample has the subsample's mlp_ratio.
      const mlpRatio = previousKind === 'subsample' ? spec.subsampleMlpRatio : spec.mlpRatio;
      previousKind = module.kind;
      const branch =
        module.kind === 'attention'
          ? new LeViTAttention({ dim, keyDim: spec.keyDim, numHeads: spec.numHeads[s], attnRatio: spec.attnRatio, resolution, name: `${name}.m` })
          : new LeViTMLP({ dim, mlpRatio, name: `${name}.m` });
      tokens = new LeViTResidual({ dropPath: this.dropPath, name }).apply([tokens, branch.apply(tokens) as SymbolicTensor]) as SymbolicTensor;
    }
    stageOutputs.push(tokens);

    const [c1, c2, c3] = spec.embedDim;
    const grid = (t: SymbolicTensor, r: number, c: number, name: string) =>
      layers.reshape({ targetShape: [r, r, c], name }).apply(t) as SymbolicTensor;
    const up2 = (t: SymbolicTensor, name: string) => new LeViTResizeBilinear({ scale: 2, alignCorners: true, name }).apply(t) as SymbolicTensor;
    const map1 = grid(stageOutputs[0], r1, c1, 'block_1_map');
    const map2 = up2(grid(stageOutputs[1], r2, c2, 'block_2_map'), 'block_2_up');
    let map3 = up2(up2(grid(stageOutputs[2], r3, c3, 'block_3_map'), 'block_3_up1'), 'block_3_up2');
    if (4 * r3 !== r1) {
      map3 = new LeViTResizeBilinear({ size: [r1, r1], alignCorners: true, name: 'block_3_resize' }).apply(map3) as SymbolicTensor;
    }
    const bottleneck = layers.concatenate({ axis: -1, name: 'bottleneck' }).apply([xc, map1, map2, map3]) as SymbolicTensor;
    return [x1, x2, x3, bottleneck];
  }
}

/** The LeViT-UNet encoder (conv stem + LeViT stages) of a variant, as an `Encoder` for `createUNet`. */
export function createLeViTEncoder(options: LeViTEncoderOptions): LeViTEncoder {
  return new LeViTEncoder(options);
}
