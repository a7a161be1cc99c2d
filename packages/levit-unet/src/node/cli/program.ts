import * as tf from '@tensorflow/tfjs-core';
import { Command, CommanderError } from 'commander';
import { registerDemoCommand } from './demo-command.js';
import { registerExportCommand } from './export-command.js';
import { registerImportTorchCommand } from './import-torch-command.js';
import { registerInfoCommand } from './info-command.js';
import { registerPredictCommand } from './predict-command.js';
import { registerMetricsCommand } from './metrics-command.js';
import { registerPrepareCommand } from './prepare-command.js';
import { registerValidateDataCommand } from './validate-data-command.js';

/** Each command lives in its own `<name>-command.ts` and registers itself here. */
const registrations: Array<(program: Command) => void> = [
  registerInfoCommand,
  registerImportTorchCommand,
  registerExportCommand,
  registerPredictCommand,
  registerMetricsCommand,
  registerDemoCommand,
  registerPrepareCommand,
  registerValidateDataCommand,
];

export function createProgram(): Command {
  const program = new Command('levit-unet')
    .description('LeViT-UNet for TensorFlow.js: models, weights, data, metrics')
    .showHelpAfterError()
    .exitOverride();
  for (const register of registrations) register(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. Errors are printed as one clear line, not a stack. */
export async function runCli(argv: string[]): Promise<number> {
  // tfjs' developer warnings (e.g. "install tfjs-node") are noise on a command line.
  if (!process.env.LEVIT_DEBUG) tf.env().set('PROD', true);
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`levit-unet: ${message}\n`);
    if (process.env.LEVIT_DEBUG) console.error(error);
    return 1;
  }
}
