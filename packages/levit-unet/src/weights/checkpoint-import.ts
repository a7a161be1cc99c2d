import type { LayersModel } from '@tensorflow/tfjs-layers';
import { detectCheckpointKind, importImageNetLeViT, type CheckpointKind, type ImageNetImportReport, type StemInit } from './imagenet-import.js';
import { isEncoderKey } from './key-map.js';
import { loadStateDict, type LoadReport } from './state-dict-import.js';
import type { TensorMap } from '@levit-unet/torch-io';

/** Options of `importCheckpoint`. */
export interface CheckpointImportOptions {
  /** Load only the encoder (conv stem + transformer blocks) from a LeViT-UNet checkpoint. ImageNet checkpoints always are. */
  encoderOnly?: boolean;
  /** First stem conv from an RGB ImageNet checkpoint; see `StemInit`. */
  stem?: StemInit;
  allowShapeMismatch?: boolean;
  /** Load NaN/Inf weights (reported in `report.nonFinite`) instead of refusing the checkpoint. */
  allowNonFinite?: boolean;
  source?: string;
}

/** What `importCheckpoint` loaded: the checkpoint's kind and the load report. */
export interface CheckpointImportResult {
  kind: CheckpointKind;
  report: LoadReport | ImageNetImportReport;
}

/**
 * Loads official weights into a LeViT-UNet: a whole LeViT-UNet state_dict (strict, like
 * `load_state_dict`), only its encoder, or an ImageNet LeViT into the encoder.
 */
export function importCheckpoint(model: LayersModel, tensors: TensorMap, options: CheckpointImportOptions = {}): CheckpointImportResult {
  const kind = detectCheckpointKind(tensors, options.source);
  if (kind === 'imagenet-levit') {
    return { kind, report: importImageNetLeViT(model, tensors, options) };
  }
  const report = loadStateDict(model, tensors, {
    strict: !options.encoderOnly,
    filter: options.encoderOnly ? isEncoderKey : undefined,
    allowShapeMismatch: options.allowShapeMismatch,
    allowNonFinite: options.allowNonFinite,
    source: options.source,
  });
  return { kind, report };
}
