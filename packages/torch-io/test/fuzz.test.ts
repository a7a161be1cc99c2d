/**
 * Seeded fuzzing of every torch-io reader (~200 mutations per format): each mutated file is read
 * correctly or refused with one line naming it, within a time bound, never with a raw JavaScript error
 * or an allocation beyond maxBytes. Longer runs: `npx tsx bench/fuzz.ts --iterations 20000`.
 */
import { describe, expect, it } from 'vitest';
import { describeFailures, fuzz } from '@levit-unet/test-utils/fuzz';
import { torchIoTargets } from './fuzz-targets.js';

const ITERATIONS = 200;
const SEED = 20261201;

describe('fuzzing the torch-io readers', () => {
  it.each(torchIoTargets().map((t) => [t.name, t] as const))('%s', async (_name, target) => {
    const report = await fuzz(target, { iterations: ITERATIONS, seed: SEED, timeLimitMs: 2000 });
    expect(report.failures, describeFailures(report)).toEqual([]);
    expect(report.iterations).toBe(ITERATIONS);
    // The mutations must reach the readers' checks, not only the first magic-number test.
    expect(report.refused).toBeGreaterThan(ITERATIONS / 4);
    expect(report.distinctErrors).toBeGreaterThan(5);
  }, 60_000);
});
