/** The three LeViT-UNet sizes. */
export type LeViTUNetVariant = '128s' | '192' | '384';

/** The official variants: 128s, 192 and 384. */
export const LEVIT_UNET_VARIANTS: readonly LeViTUNetVariant[] = ['128s', '192', '384'];

/**
 * One row of the official `specification` tables (LeViT's C, D, N, X, drop_path), with the fixed
 * choices of `model_factory_v3_NM`: attn_ratio 2 and mlp_ratio 2 in every stage, and between stages an
 * AttentionSubsample with key_dim D, C_i // D heads, attn_ratio 4, stride 2, followed by an MLP (ratio 2).
 */
export interface LeViTSpec {
  /** C: token width of the three stages; the conv stem's width n is C[0]. */
  embedDim: [number, number, number];
  /** D: key dimension of every attention. */
  keyDim: number;
  /** N: heads of the attention blocks per stage. */
  numHeads: [number, number, number];
  /** X: (Attention, MLP) pairs per stage. */
  depth: [number, number, number];
  /** Drop-path probability of every residual (training only). */
  dropPath: number;
  attnRatio: number;
  mlpRatio: number;
  subsampleAttnRatio: number;
  subsampleMlpRatio: number;
  subsampleStride: number;
  /** Decoder block widths, as the official file hard-codes them. */
  decoderChannels: [number, number, number];
}

const common = {
  attnRatio: 2,
  mlpRatio: 2,
  subsampleAttnRatio: 4,
  subsampleMlpRatio: 2,
  subsampleStride: 2,
  decoderChannels: [512, 256, 128] as [number, number, number],
};

/** `LeViT-UNet-128s.py`, `LeViT-UNet-192.py`, `LeViT-UNet-384.py` (apple1986/LeViT-UNet). */
export const LEVIT_UNET_SPECS: Readonly<Record<LeViTUNetVariant, LeViTSpec>> = {
  '128s': { embedDim: [128, 256, 384], keyDim: 16, numHeads: [4, 6, 8], depth: [2, 3, 4], dropPath: 0, ...common },
  '192': { embedDim: [192, 288, 384], keyDim: 32, numHeads: [3, 5, 6], depth: [4, 4, 4], dropPath: 0, ...common },
  '384': { embedDim: [384, 512, 768], keyDim: 32, numHeads: [6, 9, 12], depth: [4, 4, 4], dropPath: 0.1, ...common },
};

/** The specification of a LeViT-UNet variant; an unknown name is an error listing the known ones. */
export function getSpec(variant: string): LeViTSpec {
  if (!(LEVIT_UNET_VARIANTS as readonly string[]).includes(variant)) {
    throw new Error(`unknown LeViT-UNet variant "${variant}": expected one of ${LEVIT_UNET_VARIANTS.join(', ')}`);
  }
  return LEVIT_UNET_SPECS[variant as LeViTUNetVariant];
}

/** One module of LeViT's flat `blocks` sequence, with its global index (kept by the official slicing). */
export interface EncoderModule {
  kind: 'attention' | 'mlp' | 'subsample';
  /** Stage 1..3: the official `block_<stage>` slice the module belongs to. */
  stage: 1 | 2 | 3;
  index: number;
}

/**
 * The official module sequence: stage 1 holds X₁ (Attention, MLP) pairs; stages 2 and 3 open with the
 * AttentionSubsample and its MLP, then X_k pairs. For 128s: block_1.0–3, block_2.4–11, block_3.12–21.
 */
export function encoderModules(spec: LeViTSpec): EncoderModule[] {
  const modules: EncoderModule[] = [];
  let index = 0;
  spec.depth.forEach((pairs, s) => {
    const stage = (s + 1) as 1 | 2 | 3;
    if (stage > 1) {
      modules.push({ kind: 'subsample', stage, index: index++ });
      modules.push({ kind: 'mlp', stage, index: index++ });
    }
    for (let p = 0; p < pairs; p++) {
      modules.push({ kind: 'attention', stage, index: index++ });
      modules.push({ kind: 'mlp', stage, index: index++ });
    }
  });
  return modules;
}
