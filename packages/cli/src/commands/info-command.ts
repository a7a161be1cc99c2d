import { Command, Option } from '@commander-js/extra-typings';
import { createLeViTUNet, describeLeViTUNet } from '@levit-unet/levit-unet';
import { initBackend } from '@levit-unet/levit-unet/node';
import { backendOption, imgSizeOption, numClassesOption, parsePositiveInt, say, variantOption } from '../options.js';

export function infoCommand() {
  return new Command('info')
    .description('build a LeViT-UNet and print its parameter counts and shapes')
    .addOption(variantOption())
    .addOption(numClassesOption())
    .addOption(imgSizeOption())
    .addOption(new Option('--in-channels <n>', 'input channels').argParser(parsePositiveInt('--in-channels')).default(1))
    .addOption(backendOption())
    .option('--json', 'print JSON')
    .action(async (options) => {
      await initBackend(options.backend);
      const model = createLeViTUNet({ variant: options.variant, numClasses: options.numClasses, imgSize: options.imgSize, inChannels: options.inChannels });
      let info;
      try {
        info = describeLeViTUNet(model);
      } finally {
        model.dispose();
      }
      if (options.json) return say(JSON.stringify(info, null, 2));
      const rows: Array<[string, string]> = [
        ['variant', info.variant],
        ['trainableParams', info.trainableParams.toLocaleString('en-US')],
        ['nonTrainableParams', `${info.nonTrainableParams.toLocaleString('en-US')} (BN running stats ${info.runningStatElements.toLocaleString('en-US')} + counters)`],
        ['input', `[${info.inputShape}] NHWC`],
        ['output', `[${info.outputShape}] NHWC logits`],
        ['dropPath', String(info.dropPath)],
      ];
      for (const [k, v] of rows) say(`${k.padEnd(20)}${v}`);
    });
}
