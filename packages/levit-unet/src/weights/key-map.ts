import { LeViTAttentionSubsample, LeViTAttention, ModuleLayer, type AttentionBiasIndex } from '@levit-unet/levit-blocks';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';
import { encoderModules, type LeViTSpec } from '../model/specs.js';
import { torchShapeOf, weightLayout, type WeightLayout } from '@levit-unet/torch-io';

/** One entry of a model's PyTorch state_dict. */
export type StateDictSlot =
  | { key: string; kind: 'weight'; variable: LayerVariable; layout: WeightLayout; torchShape: number[]; integer: boolean }
  | { key: string; kind: 'attention_bias_idxs'; index: AttentionBiasIndex; torchShape: number[] };

/** Official registration order of the top-level modules: cnn_b1..4, decoderBlock_1..3, segmentation_head, block_1..3. */
function moduleRank(layerName: string): number {
  const top = layerName.split('.')[0];
  if (/^cnn_b\d+$/.test(top)) return 0;
  if (/^decoderBlock_\d+$/.test(top)) return 1;
  if (top === 'segmentation_head') return 2;
  if (/^block_\d+$/.test(top)) return 3;
  return 4;
}

/**
 * The PyTorch state_dict of a model built from levit-blocks / unet-decoder layers: every weight under
 * `${layer.name}.${suffix}` (layers are named after the official modules) and every attention's
 * `attention_bias_idxs` buffer, in the official key order.
 */
export function stateDictSlots(model: LayersModel): StateDictSlot[] {
  const layers = model.layers
    .filter((layer) => layer.weights.length > 0)
    .map((layer, i) => ({ layer, i }))
    .sort((a, b) => moduleRank(a.layer.name) - moduleRank(b.layer.name) || a.i - b.i)
    .map(({ layer }) => layer);
  const slots: StateDictSlot[] = [];
  for (const layer of layers) {
    if (!(layer instanceof ModuleLayer)) {
      throw new Error(`layer "${layer.name}" (${layer.getClassName()}) has weights without PyTorch names; only levit-blocks / unet-decoder layers map to a state_dict`);
    }
    for (const variable of layer.torchWeights) {
      const suffix = ModuleLayer.torchSuffix(layer, variable);
      const shape = variable.shape as number[];
      const layout = weightLayout(suffix, shape.length);
      const key = `${layer.name}.${suffix}`;
      slots.push({ key, kind: 'weight', variable, layout, torchShape: torchShapeOf(shape, layout), integer: variable.dtype === 'int32' });
      if (suffix === 'attention_biases' && (layer instanceof LeViTAttention || layer instanceof LeViTAttentionSubsample)) {
        const index = layer.biasIndex;
        slots.push({ key: `${layer.name}.attention_bias_idxs`, kind: 'attention_bias_idxs', index, torchShape: [index.numQueries, index.numKeys] });
      }
    }
  }
  return slots;
}

const SLICED_KEY = /^block_(\d+)\.(\d+)\.(.+)$/;
const FLAT_KEY = /^blocks\.(\d+)\.(.+)$/;

/** `block_<stage>.<i>.rest` → `blocks.<i>.rest` (LeViT's flat `blocks` naming, which keeps the index). */
export function flatBlocksKey(key: string): string | null {
  const m = SLICED_KEY.exec(key);
  return m ? `blocks.${m[2]}.${m[3]}` : null;
}

/**
 * `blocks.<i>.rest` → `block_<stage>.<i>.rest`, the stage of module i in this spec (128s: i < 4 → 1,
 * i < 12 → 2, else 3; 192/384: 8 and 18), as the official slicing and pretrained renaming do.
 */
export function slicedBlocksKey(key: string, spec: LeViTSpec): string | null {
  const m = FLAT_KEY.exec(key);
  if (!m) return null;
  const index = Number(m[1]);
  const module = encoderModules(spec).find((mod) => mod.index === index);
  return module ? `block_${module.stage}.${index}.${m[2]}` : null;
}

/** Keys of the encoder: the conv stem and the transformer blocks (either naming). */
export function isEncoderKey(key: string): boolean {
  return /^(cnn_b\d+|block_\d+|blocks)\./.test(key);
}
