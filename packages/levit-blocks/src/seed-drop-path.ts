import type { layers } from '@tensorflow/tfjs-layers';
import { LeViTResidual } from './residual.js';

/** A layer that holds layers (a LayersModel used as a layer, a Sequential). */
const sublayers = (layer: layers.Layer): readonly layers.Layer[] => (layer as unknown as { layers?: layers.Layer[] }).layers ?? [];

/**
 * Makes every `LeViTResidual` in `model` (nested models included) draw its drop-path keep masks from
 * `random`, one number per sample in the order the layers run, so a training run's masks follow its seed;
 * null gives back tfjs's unseeded draws. Returns how many layers have drop-path.
 */
export function seedDropPath(model: layers.Layer, random: (() => number) | null): number {
  let count = 0;
  const visit = (layer: layers.Layer) => {
    if (layer instanceof LeViTResidual) {
      layer.dropPathRandom = random;
      if (layer.dropPath > 0) count++;
    }
    sublayers(layer).forEach(visit);
  };
  visit(model);
  return count;
}
