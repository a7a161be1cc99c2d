import { Command, CommanderError } from 'commander';

/** Each command lives in its own `<name>-command.ts` and registers itself here. */
const registrations: Array<(program: Command) => void> = [];

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
