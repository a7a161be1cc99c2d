import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A run folder:
 * ```
 * RUN/config.json     everything to repeat the run (resolved options, data, model summary)
 * RUN/log.jsonl       one JSON record per iteration ({type:"train",...}) and per validation ({type:"validation",...})
 * RUN/log.csv         the iteration records as CSV
 * RUN/curves.png      training loss and validation mean Dice against iteration
 * RUN/last/           model directory (model.json + weights.bin) + training-state.json + optimizer.safetensors,
 *                     written as one atomic directory: what `resume(RUN)` continues from
 * RUN/best/           model directory of the best validation mean Dice + validation.json
 * ```
 */
export const RUN_FILES = {
  config: 'config.json',
  logJsonl: 'log.jsonl',
  logCsv: 'log.csv',
  curves: 'curves.png',
  last: 'last',
  best: 'best',
  trainingState: 'training-state.json',
  optimizerState: 'optimizer.safetensors',
  bestValidation: 'validation.json',
} as const;

/**
 * Whether `dir` holds a training run (its `config.json` says so, or it holds only the lock of a run
 * being started): the only non-empty folder a run may be written into.
 */
export function isTrainingRun(dir: string): boolean {
  try {
    const entries = readdirSync(dir);
    if (entries.length > 0 && entries.every((e) => e.startsWith('train.lock'))) return true;
  } catch {
    return false;
  }
  try {
    return (JSON.parse(readFileSync(join(dir, RUN_FILES.config), 'utf8')) as { format?: unknown }).format === 'levit-unet-training-run';
  } catch {
    return false;
  }
}

/** The path of one of a run folder's files. */
export function runPath(runDir: string, file: keyof typeof RUN_FILES): string {
  return join(runDir, RUN_FILES[file]);
}

/** Where a run stands; stored in `last/training-state.json`. */
export interface TrainingState {
  format: 'levit-unet-training-state';
  version: 1;
  /** Completed iterations. */
  iteration: number;
  /** 0-based epoch of the next batch. */
  epoch: number;
  /** 0-based index of the next batch within `epoch`. */
  batchInEpoch: number;
  bestMeanDice: number | null;
  bestEpoch: number | null;
  /** Iteration of the last validation (null before the first). */
  lastValidationIteration: number | null;
  completed: boolean;
  /** Stable key (the weight's name without tfjs's uniqueness suffix) of each trainable variable, in order. */
  variableKeys: string[];
}

export async function readJsonFile<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path} not found: ${what}`);
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message})`);
  }
}
