import type { LayersModel } from '@tensorflow/tfjs-layers';
import { findLeViTUNetConfig } from '../model/levit-unet-model.js';
import { flatBlocksKey, stateDictSlots } from './key-map.js';
import { toTorchLayout, type TensorEntry, type TensorMap } from '@levit-unet/torch-io';

/** Options of `exportStateDict`. */
export interface ExportStateDictOptions {
  /**
   * Also write LeViT's flat `blocks.<i>.*` keys beside `block_<stage>.<i>.*`. The official 192 module keeps
   * both (its `del self.blocks` is commented out), so its strict `load_state_dict` needs them. Default:
   * true for a LeViT-UNet-192, false otherwise.
   */
  blocksAliases?: boolean;
}

/**
 * The model's weights as a PyTorch state_dict: official keys, PyTorch layouts (OIHW, [out, in]), float32
 * values, int64 `num_batches_tracked` and `attention_bias_idxs` — what the official module's strict
 * `load_state_dict` accepts.
 */
export function exportStateDict(model: LayersModel, options: ExportStateDictOptions = {}): TensorMap {
  const aliases = options.blocksAliases ?? findLeViTUNetConfig(model)?.variant === '192';
  const entries: Array<[string, TensorEntry]> = stateDictSlots(model).map((slot) => {
    if (slot.kind === 'attention_bias_idxs') {
      return [slot.key, { dtype: 'int64', shape: slot.torchShape, data: BigInt64Array.from(slot.index.idxs, (v) => BigInt(v)) }];
    }
    const values = slot.variable.read().dataSync();
    if (slot.integer) {
      return [slot.key, { dtype: 'int64', shape: slot.torchShape, data: BigInt64Array.from(values, (v) => BigInt(v)) }];
    }
    const data = toTorchLayout(Float32Array.from(values), slot.variable.shape as number[], slot.layout);
    return [slot.key, { dtype: 'float32', shape: slot.torchShape, data }];
  });
  if (!aliases) return new Map(entries);
  // Official 192 order: cnn_b*, decoder, head, then blocks.*, then block_1..3.
  const firstBlock = entries.findIndex(([key]) => flatBlocksKey(key) !== null);
  const encoder = firstBlock < 0 ? [] : entries.slice(firstBlock);
  const flat = encoder.map(([key, entry]) => [flatBlocksKey(key) as string, entry] as [string, TensorEntry]);
  return new Map([...entries.slice(0, firstBlock < 0 ? entries.length : firstBlock), ...flat, ...encoder]);
}
