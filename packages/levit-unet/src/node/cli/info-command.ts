import type { Command } from 'commander';
import { createLeViTUNet } from '../../model/levit-unet-model.js';
import { describeLeViTUNet } from '../../model/model-info.js';
import { getSpec, type LeViTUNetVariant } from '../../model/specs.js';
import { initBackend } from '../backend.js';
import { parsePositiveInt } from './options.js';

export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description('build a LeViT-UNet and print its parameter counts and shapes')
    .requiredOption('--variant <variant>', 'model size: 128s, 192 or 384')
    .requiredOption('--num-classes <n>', 'number of classes, background included', parsePositiveInt('--num-classes'))
    .option('--img-size <n>', 'input side in pixels (multiple of 32)', parsePositiveInt('--img-size'), 224)
    .option('--in-channels <n>', 'input channels', parsePositiveInt('--in-channels'), 1)
    .option('--backend <name>', 'tfjs backend: auto, tensorflow, wasm, cpu')
    .option('--json', 'print JSON')
    .action(async (options: { variant: string; numClasses: number; imgSize: number; inChannels: number; backend?: string; json?: boolean }) => {
      getSpec(options.variant);
      await initBackend(options.backend);
      const model = createLeViTUNet({
        variant: options.variant as LeViTUNetVariant,
        numClasses: options.numClasses,
        imgSize: options.imgSize,
        inChannels: options.inChannels,
      });
      const info = describeLeViTUNet(model);
      model.dispose();
      if (options.json) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      const rows: Array<[string, string]> = [
        ['variant', info.variant],
        ['trainableParams', info.trainableParams.toLocaleString('en-US')],
        ['nonTrainableParams', `${info.nonTrainableParams.toLocaleString('en-US')} (BN running stats ${info.runningStatElements.toLocaleString('en-US')} + counters)`],
        ['input', `[${info.inputShape}] NHWC`],
        ['output', `[${info.outputShape}] NHWC logits`],
        ['dropPath', String(info.dropPath)],
      ];
      for (const [k, v] of rows) process.stdout.write(`${k.padEnd(20)}${v}\n`);
    });
}
