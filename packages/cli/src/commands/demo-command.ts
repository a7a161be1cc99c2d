import { Command, Option } from '@commander-js/extra-typings';
import { DEMO_RECIPE, runDemo } from '../demo.js';
import { backendOption, engineOption, parseInteger, parsePositiveInt, say, threadsOption } from '../options.js';
import { TrainingProgress } from '../training-progress.js';

export function demoCommand() {
  return new Command('demo')
    .description(
      'the main job: generate a synthetic CT dataset, train LeViT-UNet-128s on it, evaluate the held-out volumes with ' +
        "TransUNet's protocol, and write the report (metrics, curves, overlays); about 15 minutes on a 2-core CPU",
    )
    .option('--out <dir>', 'output folder', 'demo-output')
    .addOption(new Option('--steps <n>', `training iterations (default ${DEMO_RECIPE.steps})`).argParser(parsePositiveInt('--steps')))
    .addOption(new Option('--seed <n>', `seed of the phantoms, initial weights, data order and drop-path (default ${DEMO_RECIPE.seed})`).argParser(parseInteger('--seed')))
    .addOption(engineOption())
    .addOption(threadsOption())
    .addOption(backendOption())
    .action(async (options) => {
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once('SIGINT', onSigint);
      const progress = new TrainingProgress(process.stderr);
      try {
        await runDemo({
          outDir: options.out,
          ...(options.backend ? { backend: options.backend } : {}),
          ...(options.engine ? { engine: options.engine } : {}),
          ...(options.threads ? { threads: options.threads } : {}),
          recipe: { ...(options.steps ? { steps: options.steps } : {}), ...(options.seed === undefined ? {} : { seed: options.seed }) },
          log: (line) => {
            progress.stop();
            say(line);
          },
          onProgress: (p) => progress.update(p),
          signal: abort.signal,
        });
      } finally {
        progress.stop();
        process.removeListener('SIGINT', onSigint);
      }
    });
}
