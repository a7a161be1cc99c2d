import type { Command } from 'commander';
import { getSpec, type LeViTUNetVariant } from '../../model/specs.js';
import { runDemo } from '../demo.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('the main job: run each LeViT-UNet size on the bundled synthetic CT slice; parameter counts, speed, overlay PNGs')
    .option('--out <dir>', 'output folder', 'demo-output')
    .option('--variants <list>', 'comma-separated sizes', '128s,192,384')
    .option('--backend <name>', 'tfjs backend: auto, tensorflow, wasm, cpu')
    .action(async (options: { out: string; variants: string; backend?: string }) => {
      const variants = options.variants.split(',').map((v) => {
        getSpec(v);
        return v as LeViTUNetVariant;
      });
      await runDemo({ outDir: options.out, variants, backend: options.backend, log: (line) => process.stdout.write(`${line}\n`) });
    });
}
