/**
 * Seeded fuzzing of the datasets readers (~200 mutations per format): each mutated file is read or
 * refused with one line naming it, within a time bound, never with a raw JavaScript error or an
 * allocation beyond maxBytes. Longer runs: `npx tsx bench/fuzz.ts --iterations 20000`.
 */
import { describe, expect, it } from 'vitest';
import { describeFailures, fuzz } from '@levit-unet/test-utils/fuzz';
import { datasetsTargets } from './fuzz-targets.js';

const ITERATIONS = 200;
const SEED = 20261201;

describe('fuzzing the datasets readers', () => {
  it.each(datasetsTargets().map((t) => [t.name, t] as const))('%s', async (_name, target) => {
    const report = await fuzz(target, { iterations: ITERATIONS, seed: SEED, timeLimitMs: 3000 });
    expect(report.failures, describeFailures(report)).toEqual([]);
    expect(report.iterations).toBe(ITERATIONS);
    expect(report.refused).toBeGreaterThan(ITERATIONS / 10);
    expect(report.distinctErrors).toBeGreaterThan(3);
  }, 120_000);
});
