import { maybeGunzip } from './gzip.js';
import { isSafetensors, readSafetensors } from './safetensors.js';
import type { TensorMap } from './tensor-map.js';
import { readTorchStateDict } from './torch-checkpoint.js';

export type WeightsFormat = 'safetensors' | 'torch';

/**
 * The tensors of a weights file's bytes, whatever its format: a torch.save checkpoint (zip or legacy
 * pickle; a bare state_dict or a `{'model': ...}`-style container, `module.` prefixes removed) or
 * safetensors; gzip-wrapped or not.
 */
export function readWeights(bytes: Uint8Array, options: { source?: string } = {}): { format: WeightsFormat; tensors: TensorMap } {
  const source = options.source ?? 'weights';
  const raw = maybeGunzip(bytes, source);
  if (isSafetensors(raw)) return { format: 'safetensors', tensors: readSafetensors(raw, { source }).tensors };
  return { format: 'torch', tensors: readTorchStateDict(raw, { source }).tensors };
}
