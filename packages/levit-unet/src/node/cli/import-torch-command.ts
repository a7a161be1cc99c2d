import { InvalidArgumentError, type Command } from 'commander';
import { getSpec, type LeViTUNetVariant } from '../../model/specs.js';
import type { StemInit } from '../../io/imagenet-import.js';
import { initBackend } from '../backend.js';
import { saveModelDir } from '../model-dir.js';
import { importCheckpointFile } from '../weights-import.js';
import { parsePositiveInt } from './options.js';

function parseStem(value: string): StemInit {
  if (value !== 'rgb-sum' && value !== 'random') throw new InvalidArgumentError(`--stem must be rgb-sum or random, got "${value}"`);
  return value;
}

export function registerImportTorchCommand(program: Command): void {
  program
    .command('import-torch')
    .description('load an official LeViT-UNet or ImageNet LeViT PyTorch checkpoint (.pth, .safetensors, optionally gzipped) into a model directory')
    .argument('<checkpoint>', 'torch.save file or safetensors')
    .requiredOption('--variant <variant>', 'model size: 128s, 192 or 384')
    .requiredOption('--num-classes <n>', 'number of classes, background included', parsePositiveInt('--num-classes'))
    .requiredOption('--out <dir>', 'model directory to write (model.json + weights.bin)')
    .option('--encoder-only', 'load only the encoder (conv stem + transformer) of a LeViT-UNet checkpoint')
    .option('--stem <mode>', 'first conv from an RGB ImageNet checkpoint: rgb-sum (sum over RGB) or random (official)', parseStem, 'rgb-sum')
    .option('--allow-shape-mismatch', 'skip tensors whose shapes differ instead of failing')
    .option('--img-size <n>', 'input side in pixels', parsePositiveInt('--img-size'), 224)
    .option('--backend <name>', 'tfjs backend: auto, tensorflow, wasm, cpu')
    .option('--json', 'print the load report as JSON')
    .action(
      async (
        checkpoint: string,
        options: { variant: string; numClasses: number; out: string; encoderOnly?: boolean; stem: StemInit; allowShapeMismatch?: boolean; imgSize: number; backend?: string; json?: boolean },
      ) => {
        getSpec(options.variant);
        await initBackend(options.backend);
        const { model, kind, report } = await importCheckpointFile(checkpoint, {
          variant: options.variant as LeViTUNetVariant,
          numClasses: options.numClasses,
          imgSize: options.imgSize,
          encoderOnly: options.encoderOnly,
          stem: options.stem,
          allowShapeMismatch: options.allowShapeMismatch,
        });
        await saveModelDir(model, options.out);
        model.dispose();
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ kind, out: options.out, ...report }, null, 2)}\n`);
          return;
        }
        const dropped = 'dropped' in report ? report.dropped.length : 0;
        process.stdout.write(
          [
            `${checkpoint}: ${kind} checkpoint → ${options.out}`,
            `loaded ${report.loaded.length} tensors, verified ${report.verifiedBiasIdxs} attention_bias_idxs, ${report.aliases.length} alias keys`,
            `missing ${report.missing.length}${report.missing.length ? `: ${report.missing.slice(0, 6).join(', ')}${report.missing.length > 6 ? ', …' : ''}` : ''}`,
            `unexpected ${report.unexpected.length}, shape-mismatched ${report.mismatched.length}, dropped ${dropped}, not loaded by choice ${report.skipped.length + report.ignored.length}`,
          ].join('\n') + '\n',
        );
      },
    );
}
