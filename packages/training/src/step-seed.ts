import { deriveSeed } from '@levit-unet/datasets';

/** Sets the steps' streams apart from the augmentation seeds, deriveSeed(seed, epoch, sample). */
const STEP_KEY = 0x64726f70; // 'drop'

/**
 * The seed of the random draws (drop-path masks) of the step that makes iteration `iteration + 1`: a
 * function of the run's seed and position only, so a resumed run draws as an uninterrupted one does.
 */
export function stepSeed(seed: number, iteration: number): number {
  return deriveSeed(seed, STEP_KEY, iteration);
}
