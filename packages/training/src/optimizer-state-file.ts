import { readSafetensors, writeSafetensors, type TensorEntry } from '@levit-unet/torch-io';
import type { OptimizerState } from './torch-optimizer.js';

const SEPARATOR = '::';

/**
 * An optimizer state as safetensors bytes: tensors `<key>::<buffer>` (float32, exact), the kind, the step
 * count and the per-variable step counts in the metadata. `keyOf` maps a variable name to a key that is
 * stable across processes (tfjs renames variables `_1`, `_2`... when a model is built twice).
 */
export function encodeOptimizerState(state: OptimizerState, keyOf: (variableName: string) => string): Uint8Array {
  const tensors: Array<[string, TensorEntry]> = [];
  const slotSteps: Record<string, number> = {};
  for (const [name, slot] of Object.entries(state.slots)) {
    const key = keyOf(name);
    slotSteps[key] = slot.step;
    for (const [buffer, data] of Object.entries(slot.buffers)) {
      tensors.push([`${key}${SEPARATOR}${buffer}`, { dtype: 'float32', shape: [data.length], data }]);
    }
  }
  return writeSafetensors(tensors, {
    metadata: { format: 'levit-unet-optimizer-state', kind: state.kind, step: String(state.step), slotSteps: JSON.stringify(slotSteps) },
  });
}

/** The inverse of `encodeOptimizerState`; `nameOf` maps a saved key back to the current variable name. */
export function decodeOptimizerState(bytes: Uint8Array, nameOf: (key: string) => string, source = 'optimizer state'): OptimizerState {
  const { tensors, metadata } = readSafetensors(bytes, { source });
  if (metadata?.format !== 'levit-unet-optimizer-state' || (metadata.kind !== 'adam' && metadata.kind !== 'sgd')) {
    throw new Error(`${source}: not an optimizer state (metadata format/kind missing)`);
  }
  const slotSteps = JSON.parse(metadata.slotSteps ?? '{}') as Record<string, number>;
  const slots: OptimizerState['slots'] = {};
  for (const [key, step] of Object.entries(slotSteps)) slots[nameOf(key)] = { step, buffers: {} };
  for (const [tensorName, entry] of tensors) {
    const at = tensorName.lastIndexOf(SEPARATOR);
    const key = tensorName.slice(0, at);
    const slot = slots[nameOf(key)];
    if (at < 0 || !slot || !(entry.data instanceof Float32Array)) throw new Error(`${source}: unexpected tensor "${tensorName}"`);
    slot.buffers[tensorName.slice(at + SEPARATOR.length)] = entry.data;
  }
  return { kind: metadata.kind, step: Number(metadata.step), slots };
}
