import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from '@commander-js/extra-typings';
import { encodeNpy, parseNpy } from '@levit-unet/datasets';
import { initBackend, loadLeViTUNet } from '@levit-unet/levit-unet/node';
import { atomicWriteFile } from '@levit-unet/safe-fs';
import { argmaxLabels, predictLogitsArray } from '../predict-array.js';
import { backendOption, batchSizeOption, modelDirOption, say } from '../options.js';

export function predictCommand() {
  return new Command('predict')
    .description('run a model on a batch of images in a .npy file; write logits or labels as .npy')
    .addOption(modelDirOption())
    .requiredOption('--input <file>', '.npy float32 images, (n, 1, 224, 224) NCHW or (n, 224, 224, 1) with --layout nhwc')
    .requiredOption('--out <file>', '.npy to write')
    .option('--logits', 'write the logits (n, C, h, w) instead of argmax labels (n, h, w) uint8')
    .addOption(new Option('--layout <layout>', 'array layout: nchw (PyTorch) or nhwc').choices(['nchw', 'nhwc'] as const).default('nchw' as const))
    .addOption(batchSizeOption(8))
    .addOption(backendOption())
    .action(async (options) => {
      if (!/\.npy$/i.test(options.input)) throw new Error(`${options.input}: expected a .npy file`);
      if (resolve(options.out) === resolve(options.input)) throw new Error(`--out ${options.out}: is the input file; choose another path`);
      await initBackend(options.backend);
      const input = parseNpy(await readFile(options.input), options.input);
      if (!(input.data instanceof Float32Array)) throw new Error(`${options.input}: expected float32 data, got ${input.data.constructor.name}`);
      const model = await loadLeViTUNet(options.model);
      try {
        const logits = await predictLogitsArray(model, { data: input.data, shape: input.shape }, { layout: options.layout, batchSize: options.batchSize, source: options.input });
        const result = options.logits ? logits : argmaxLabels(logits, options.layout);
        await atomicWriteFile(options.out, encodeNpy(result));
        say(`${options.out}: ${options.logits ? 'logits' : 'labels'} (${result.shape.join(', ')})`);
      } finally {
        model.dispose();
      }
    });
}
