import { maybeGunzip } from './gzip.js';
import { isSafetensors, readSafetensors } from './safetensors.js';
import type { TensorMap } from './tensor-map.js';
import { readTorchStateDict } from './torch-checkpoint.js';
import type { UnpickleLimits } from './torch-pickle.js';
import { isLegacyTorch } from './torch-legacy.js';
import { isZip } from './zip-archive.js';

/** The weights formats `readWeights` reads. */
export type WeightsFormat = 'safetensors' | 'torch';

/** Options of `readWeights`. */
export interface ReadWeightsOptions extends UnpickleLimits {
  /** Names the input in error messages, e.g. its file path. */
  source?: string;
}

/**
 * A safetensors file whose header is damaged still starts with a small little-endian u64 (its header
 * length: the top four bytes are zero), which no torch.save file does; such files get safetensors' own
 * error rather than "not a torch.save file".
 */
function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (isSafetensors(bytes)) return true;
  if (bytes.length < 8 || isZip(bytes) || isLegacyTorch(bytes)) return false;
  return bytes[4] === 0 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0;
}

/**
 * The tensors of a weights file's bytes, whatever its format: a torch.save checkpoint (zip or legacy
 * pickle; a bare state_dict or a `{'model': ...}`-style container, `module.` prefixes removed) or
 * safetensors; gzip-wrapped or not. `maxBytes` bounds the gunzipped file and the decoded tensors.
 */
export function readWeights(bytes: Uint8Array, options: ReadWeightsOptions = {}): { format: WeightsFormat; tensors: TensorMap } {
  const source = options.source ?? 'weights';
  const raw = maybeGunzip(bytes, source, options);
  if (looksLikeSafetensors(raw)) return { format: 'safetensors', tensors: readSafetensors(raw, { ...options, source }).tensors };
  return { format: 'torch', tensors: readTorchStateDict(raw, { ...options, source }).tensors };
}
