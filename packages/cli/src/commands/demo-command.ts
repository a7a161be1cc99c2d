import { Command, Option } from '@commander-js/extra-typings';
import { LEVIT_UNET_VARIANTS, type LeViTUNetVariant } from '@levit-unet/levit-unet';
import { runDemo } from '../demo.js';
import { backendOption, say } from '../options.js';

function parseVariants(value: string): LeViTUNetVariant[] {
  return value.split(',').map((v) => {
    if (!(LEVIT_UNET_VARIANTS as readonly string[]).includes(v)) throw new Error(`--variants: "${v}" is not one of ${LEVIT_UNET_VARIANTS.join(', ')}`);
    return v as LeViTUNetVariant;
  });
}

export function demoCommand() {
  return new Command('demo')
    .description('the main job: run each LeViT-UNet size on the bundled synthetic CT slice; parameter counts, speed, overlay PNGs')
    .option('--out <dir>', 'output folder', 'demo-output')
    .addOption(new Option('--variants <list>', 'comma-separated sizes').argParser(parseVariants).default([...LEVIT_UNET_VARIANTS]))
    .addOption(backendOption())
    .action(async (options) => {
      await runDemo({ outDir: options.out, variants: [...options.variants], backend: options.backend, log: say });
    });
}
