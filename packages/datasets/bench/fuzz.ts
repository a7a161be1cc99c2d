/**
 * Long fuzz runs of the datasets readers (the CI test runs 200 inputs per format):
 *   npx tsx bench/fuzz.ts --iterations 20000 [--seed 123] [--target npz] [--time-limit 5000]
 */
import { runFuzzScript } from '@levit-unet/test-utils/fuzz';
import { datasetsTargets } from '../test/fuzz-targets.js';

process.exitCode = await runFuzzScript(datasetsTargets(), process.argv.slice(2));
