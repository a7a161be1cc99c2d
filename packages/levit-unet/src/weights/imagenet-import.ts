import type { LayersModel } from '@tensorflow/tfjs-layers';
import { isEncoderKey } from './key-map.js';
import { loadStateDict, type LoadReport, type LoadStateDictOptions } from './state-dict-import.js';
import type { TensorEntry, TensorMap } from '@levit-unet/torch-io';

/**
 * How the first stem conv is set from an ImageNet (RGB) checkpoint when the model takes fewer channels:
 * `rgb-sum` sums the kernel over the colour channels (segmentation_models_pytorch's convention: a grey
 * image replicated to RGB gives the same response) and loads its BatchNorm; `random` leaves conv and BN
 * at their initialisation, as the official LeViT-UNet loader does.
 */
export type StemInit = 'rgb-sum' | 'random';

/** A LeViT-UNet checkpoint (the official training's) or an ImageNet LeViT classifier (timm / facebookresearch). */
export type CheckpointKind = 'levit-unet' | 'imagenet-levit';

/** Which model a state_dict belongs to, from its keys. */
export function detectCheckpointKind(tensors: TensorMap, source = 'checkpoint'): CheckpointKind {
  if (tensors.has('cnn_b1.0.c.weight') || tensors.has('decoderBlock_1.conv1.0.weight')) return 'levit-unet';
  if (tensors.has('patch_embed.0.c.weight')) return 'imagenet-levit';
  const keys = [...tensors.keys()].slice(0, 8).join(', ');
  throw new Error(`${source}: neither a LeViT-UNet (cnn_b1.0.*) nor an ImageNet LeViT (patch_embed.0.*) state_dict; first keys: ${keys}`);
}

/** Options of `importImageNetLeViT`. */
export interface ImageNetImportOptions extends Pick<LoadStateDictOptions, 'allowShapeMismatch' | 'allowNonFinite' | 'source'> {
  stem?: StemInit;
}

export interface ImageNetImportReport extends LoadReport {
  /** Checkpoint keys with no counterpart in LeViT-UNet (the classifier heads; `patch_embed.0.*` with stem 'random'). */
  dropped: string[];
}

/** patch_embed.{0,2,4,6} are the four stem Conv2d_BN (1 and 3 and 5 are Hardswish). */
const STEM_RENAMES: Array<[string, string]> = [
  ['patch_embed.0.', 'cnn_b1.0.'],
  ['patch_embed.2.', 'cnn_b2.0.'],
  ['patch_embed.4.', 'cnn_b3.0.'],
  ['patch_embed.6.', 'cnn_b4.0.'],
];

/** Σ over the input-channel axis of an OIHW kernel: (O, I, H, W) → (O, 1, H, W). */
function sumInputChannels(entry: TensorEntry): TensorEntry {
  const [o, i, h, w] = entry.shape;
  const src = entry.data as Float32Array;
  const out = new Float32Array(o * h * w);
  for (let a = 0; a < o; a++) {
    for (let c = 0; c < i; c++) {
      for (let k = 0; k < h * w; k++) out[a * h * w + k] += src[(a * i + c) * h * w + k];
    }
  }
  return { dtype: entry.dtype, shape: [o, 1, h, w], data: out };
}

/**
 * Loads an ImageNet LeViT checkpoint (facebookresearch/LeViT keys) into a LeViT-UNet's encoder as the
 * official pretrained path does: stem convs 2–4 from patch_embed.2/4/6, every `blocks.<i>` into the
 * `block_<stage>.<i>` it belongs to; the heads are dropped and the decoder keeps its initialisation.
 * The first conv follows `stem` (default `rgb-sum`).
 */
export function importImageNetLeViT(model: LayersModel, tensors: TensorMap, options: ImageNetImportOptions = {}): ImageNetImportReport {
  const stem = options.stem ?? 'rgb-sum';
  const modelInChannels = model.inputs[0].shape[3];
  const renamed: TensorMap = new Map();
  const dropped: string[] = [];
  for (const [key, entry] of tensors) {
    const rename = STEM_RENAMES.find(([from]) => key.startsWith(from));
    if (!rename) {
      if (isEncoderKey(key)) renamed.set(key, entry);
      else dropped.push(key);
      continue;
    }
    if (rename[0] === 'patch_embed.0.' && stem === 'random') {
      dropped.push(key);
      continue;
    }
    const target = rename[1] + key.slice(rename[0].length);
    const adaptRgb = target === 'cnn_b1.0.c.weight' && entry.shape.length === 4 && entry.shape[1] === 3 && modelInChannels === 1;
    renamed.set(target, adaptRgb ? sumInputChannels(entry) : entry);
  }
  const report = loadStateDict(model, renamed, {
    strict: false,
    filter: isEncoderKey,
    allowShapeMismatch: options.allowShapeMismatch,
    allowNonFinite: options.allowNonFinite,
    source: options.source,
  });
  return { ...report, dropped };
}
