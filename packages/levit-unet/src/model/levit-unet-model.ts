import { withInitSeed } from '@levit-unet/levit-blocks';
import { createUNet } from '@levit-unet/unet-decoder';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { LeViTEncoder } from './levit-encoder.js';
import type { LeViTUNetVariant } from './specs.js';

/** Options of `createLeViTUNet`: the variant, classes, input, drop-path and decoder widths. */
export interface LeViTUNetOptions {
  variant: LeViTUNetVariant;
  numClasses: number;
  /** Input channels (the official models take 1). */
  inChannels?: number;
  /** Input side; multiple of 32. Default 224. */
  imgSize?: number;
  /** Drop-path probability; default the variant's (0, 0, 0.1). */
  dropPath?: number;
  /** Decoder widths, coarsest first; default the official [512, 256, 128]. */
  decoderChannels?: [number, number, number];
  /** Seed of the random initial weights (integer): one seed, the same weights on every run. Default unseeded, as tfjs. */
  seed?: number;
}

/** What a saved model remembers about how it was built (model.json `userDefinedMetadata.levitUNet`). */
export interface LeViTUNetConfig {
  variant: LeViTUNetVariant;
  numClasses: number;
  inChannels: number;
  imgSize: number;
  dropPath: number;
  decoderChannels: [number, number, number];
}

export const METADATA_KEY = 'levitUNet';

function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${field} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * LeViT-UNet (Xu et al. 2021) as a functional tfjs `LayersModel`: NHWC input (B, imgSize, imgSize,
 * inChannels) → logits (B, imgSize, imgSize, numClasses). Layers are named after the official PyTorch
 * modules, so `summary()` reads like the official `state_dict`.
 */
export function createLeViTUNet(options: LeViTUNetOptions): LayersModel {
  return withInitSeed(options.seed, () => buildLeViTUNet(options));
}

function buildLeViTUNet(options: LeViTUNetOptions): LayersModel {
  const numClasses = positiveInteger(options.numClasses, 'numClasses');
  const inChannels = positiveInteger(options.inChannels ?? 1, 'inChannels');
  const encoder = new LeViTEncoder({ variant: options.variant, imgSize: options.imgSize, dropPath: options.dropPath });
  const decoderChannels = options.decoderChannels ?? encoder.spec.decoderChannels;
  const net = createUNet({
    encoder,
    inputShape: [encoder.imgSize, encoder.imgSize, inChannels],
    numClasses,
    decoderChannels,
    name: `levit_unet_${options.variant}`,
  });
  const config: LeViTUNetConfig = {
    variant: encoder.variant,
    numClasses,
    inChannels,
    imgSize: encoder.imgSize,
    dropPath: encoder.dropPath,
    decoderChannels: [...decoderChannels] as [number, number, number],
  };
  net.setUserDefinedMetadata({ [METADATA_KEY]: config as unknown as Record<string, unknown> });
  return net;
}

/** The build configuration of a LeViT-UNet, or null for any other model. */
export function findLeViTUNetConfig(net: LayersModel): LeViTUNetConfig | null {
  const meta = net.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  return (meta?.[METADATA_KEY] as LeViTUNetConfig | undefined) ?? null;
}

/** The build configuration of a LeViT-UNet made by `createLeViTUNet` (or loaded from its model dir). */
export function getLeViTUNetConfig(net: LayersModel): LeViTUNetConfig {
  const config = findLeViTUNetConfig(net);
  if (!config) throw new Error(`model "${net.name}" is not a LeViT-UNet: its metadata has no "${METADATA_KEY}" entry`);
  return config;
}
