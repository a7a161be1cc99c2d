import * as tf from '@tensorflow/tfjs-core';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { benchCommand } from './commands/bench-command.js';
import { demoCommand } from './commands/demo-command.js';
import { evaluateCommand } from './commands/evaluate-command.js';
import { exportCommand } from './commands/export-command.js';
import { importTorchCommand } from './commands/import-torch-command.js';
import { infoCommand } from './commands/info-command.js';
import { metricsCommand } from './commands/metrics-command.js';
import { predictCommand } from './commands/predict-command.js';
import { trainCommand } from './commands/train-command.js';
import { prepareCommand } from './commands/prepare-command.js';
import { validateDataCommand } from './commands/validate-data-command.js';

/** Each command lives in its own `<name>-command.ts` and is built by a factory listed here. */
const commands = [
  demoCommand,
  trainCommand,
  evaluateCommand,
  predictCommand,
  infoCommand,
  importTorchCommand,
  exportCommand,
  metricsCommand,
  prepareCommand,
  validateDataCommand,
  benchCommand,
];

/** The `levit-unet` command line as a commander `Command` (what `bin/levit-unet.js` parses `process.argv` with). */
export function createProgram(): Command {
  const program = new Command('levit-unet')
    .description('LeViT-UNet for TensorFlow.js: train, evaluate, predict; PyTorch weights; data; metrics')
    .showHelpAfterError()
    .exitOverride();
  for (const make of commands) program.addCommand(make().exitOverride());
  return program;
}

function oneLineWarning(warning: Error): void {
  process.stderr.write(`levit-unet: warning: ${warning.message.split('\n')[0]}\n`);
}

/** Runs the CLI; resolves to the process exit code. Errors are printed as one clear line, not a stack. */
export async function runCli(argv: string[]): Promise<number> {
  // tfjs' developer warnings (e.g. "install tfjs-node") are noise on a command line.
  if (!process.env.LEVIT_DEBUG) tf.env().set('PROD', true);
  // Node prints a warning on two lines (the second suggests --trace-warnings); a command line gets one.
  if (!process.env.LEVIT_DEBUG && !process.listeners('warning').includes(oneLineWarning)) {
    process.removeAllListeners('warning');
    process.on('warning', oneLineWarning);
  }
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
