import { Command, Option } from '@commander-js/extra-typings';
import { importCheckpointFile, initBackend, isModelDir, saveModelDir } from '@levit-unet/levit-unet/node';
import { checkReplaceable } from '@levit-unet/safe-fs';
import { backendOption, imgSizeOption, numClassesOption, parsePositiveInt, say, variantOption } from '../options.js';

export function importTorchCommand() {
  return new Command('import-torch')
    .description('load an official LeViT-UNet or ImageNet LeViT PyTorch checkpoint (.pth, .safetensors, optionally gzipped) into a model directory')
    .argument('<checkpoint>', 'torch.save file or safetensors')
    .addOption(variantOption())
    .addOption(numClassesOption())
    .requiredOption('--out <dir>', 'model directory to write (model.json + weights.bin); a new or empty folder, or a model directory with --force')
    .option('--force', 'replace the model directory at --out (a folder holding other files is never replaced)')
    .option('--encoder-only', 'load only the encoder (conv stem + transformer) of a LeViT-UNet checkpoint')
    .addOption(
      new Option('--stem <mode>', 'first conv from an RGB ImageNet checkpoint: rgb-sum (sum over RGB) or random (official)')
        .choices(['rgb-sum', 'random'] as const)
        .default('rgb-sum' as const),
    )
    .option('--allow-shape-mismatch', 'skip tensors whose shapes differ instead of failing')
    .option('--allow-non-finite', 'load NaN/Inf weights anyway (they are listed in the report)')
    .addOption(new Option('--max-bytes <n>', 'refuse checkpoints that need more memory than this many bytes (default 4 GiB)').argParser(parsePositiveInt('--max-bytes')))
    .addOption(imgSizeOption())
    .addOption(backendOption())
    .option('--json', 'print the load report as JSON')
    .action(async (checkpoint, options) => {
      const replace = { force: options.force ?? false, isReplaceable: isModelDir, what: 'model directory' };
      // Checked before the (slow) import as well as by the save itself.
      await checkReplaceable(options.out, replace);
      await initBackend(options.backend);
      const { model, kind, report } = await importCheckpointFile(checkpoint, {
        variant: options.variant,
        numClasses: options.numClasses,
        imgSize: options.imgSize,
        encoderOnly: options.encoderOnly,
        stem: options.stem,
        allowShapeMismatch: options.allowShapeMismatch,
        allowNonFinite: options.allowNonFinite,
        ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
      });
      try {
        await saveModelDir(model, options.out, { force: replace.force });
      } finally {
        model.dispose();
      }
      if (options.json) return say(JSON.stringify({ kind, out: options.out, ...report }, null, 2));
      const dropped = 'dropped' in report ? report.dropped.length : 0;
      const missing = report.missing.length ? `: ${report.missing.slice(0, 6).join(', ')}${report.missing.length > 6 ? ', …' : ''}` : '';
      say(`${checkpoint}: ${kind} checkpoint → ${options.out}`);
      say(`loaded ${report.loaded.length} tensors, verified ${report.verifiedBiasIdxs} attention_bias_idxs, ${report.aliases.length} alias keys`);
      say(`missing ${report.missing.length}${missing}`);
      say(`unexpected ${report.unexpected.length}, shape-mismatched ${report.mismatched.length}, dropped ${dropped}, not loaded by choice ${report.skipped.length + report.ignored.length}`);
    });
}
