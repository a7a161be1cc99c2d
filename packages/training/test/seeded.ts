import { SeededRandom } from '@levit-unet/datasets';

/** A seeded uniform [0, 1) stream for test inputs. */
export const seededUniform = (seed: number): (() => number) => SeededRandom.stream(seed);
