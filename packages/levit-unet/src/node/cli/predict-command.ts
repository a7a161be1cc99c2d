import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { encodeNpy, parseNpy } from '@levit-unet/datasets';
import { atomicWriteFile } from '@levit-unet/datasets/node';
import { argmaxLabels, predictLogitsArray, type ArrayLayout } from '../../inference/predict-array.js';
import { initBackend } from '../backend.js';
import { loadLeViTUNet } from '../model-dir.js';
import { parsePositiveInt } from './options.js';

function parseLayout(value: string): ArrayLayout {
  if (value !== 'nchw' && value !== 'nhwc') throw new InvalidArgumentError(`--layout must be nchw or nhwc, got "${value}"`);
  return value;
}

export function registerPredictCommand(program: Command): void {
  program
    .command('predict')
    .description('run a model on a batch of images in a .npy file; write logits or labels as .npy')
    .requiredOption('--model <dir>', 'model directory')
    .requiredOption('--input <file>', '.npy float32 images, (n, 1, 224, 224) NCHW or (n, 224, 224, 1) with --layout nhwc')
    .requiredOption('--out <file>', '.npy to write')
    .option('--logits', 'write the logits (n, C, h, w) instead of argmax labels (n, h, w) uint8')
    .option('--layout <layout>', 'nchw (PyTorch) or nhwc', parseLayout, 'nchw')
    .option('--batch-size <n>', 'images per forward pass', parsePositiveInt('--batch-size'), 8)
    .option('--backend <name>', 'tfjs backend: auto, tensorflow, wasm, cpu')
    .action(async (options: { model: string; input: string; out: string; logits?: boolean; layout: ArrayLayout; batchSize: number; backend?: string }) => {
      if (!/\.npy$/i.test(options.input)) throw new Error(`${options.input}: expected a .npy file`);
      await initBackend(options.backend);
      const input = parseNpy(await readFile(options.input), options.input);
      if (!(input.data instanceof Float32Array)) {
        throw new Error(`${options.input}: expected float32 data, got ${input.data.constructor.name}`);
      }
      const model = await loadLeViTUNet(options.model);
      try {
        const logits = await predictLogitsArray(model, { data: input.data, shape: input.shape }, {
          layout: options.layout,
          batchSize: options.batchSize,
          source: options.input,
        });
        const result = options.logits ? logits : argmaxLabels(logits, options.layout);
        await atomicWriteFile(options.out, encodeNpy(result));
        process.stdout.write(`${options.out}: ${options.logits ? 'logits' : 'labels'} (${result.shape.join(', ')})\n`);
      } finally {
        model.dispose();
      }
    });
}
