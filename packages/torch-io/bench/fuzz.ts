/**
 * Long fuzz runs of the torch-io readers (the CI test runs 200 inputs per format):
 *   npx tsx bench/fuzz.ts --iterations 20000 [--seed 123] [--target zip] [--time-limit 5000]
 * A failure prints the iteration and seed; `fuzzInput(target, seed, iteration)` replays it.
 */
import { runFuzzScript } from '@levit-unet/test-utils/fuzz';
import { torchIoTargets } from '../test/fuzz-targets.js';

process.exitCode = await runFuzzScript(torchIoTargets(), process.argv.slice(2));
