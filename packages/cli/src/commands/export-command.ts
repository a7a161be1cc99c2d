import { Command, Option } from '@commander-js/extra-typings';
import { exportSafetensorsFile, initBackend, loadLeViTUNet, loadModelDir } from '@levit-unet/levit-unet/node';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from '@levit-unet/onnx';
import { exportOnnxFile } from '@levit-unet/onnx/node';
import { describeNonFinite, findNonFiniteWeights } from '@levit-unet/training';
import { canonicalPath, isPathInside } from '@levit-unet/safe-fs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { backendOption, modelDirOption, parsePositiveInt, say } from '../options.js';

/** A model holding NaN/Inf is refused before anything is written (as import-torch refuses such a checkpoint). */
async function checkFiniteWeights(model: LayersModel, dir: string): Promise<void> {
  const found = await findNonFiniteWeights(model);
  if (found.length === 0) return;
  const total = model.weights.reduce((s, w) => s + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
  throw new Error(`${dir}: non-finite weights (NaN/Inf): ${describeNonFinite(found, total)}; nothing exported`);
}

export function exportCommand() {
  return new Command('export')
    .description(
      "write a model directory as safetensors with the official PyTorch keys and layouts, or as an ONNX model " +
        '(input `image` N×1×H×W, output `logits` N×C×H×W like the official PyTorch model; BatchNorm folded)',
    )
    .addOption(modelDirOption())
    .requiredOption('--out <file>', 'output file')
    .addOption(new Option('--format <format>', 'file format').choices(['safetensors', 'onnx'] as const).default('safetensors' as const))
    .addOption(new Option('--dtype <dtype>', 'safetensors float storage').choices(['f32', 'f16'] as const).default('f32' as const))
    .addOption(new Option('--opset <n>', `ONNX opset (${MIN_OPSET}-${MAX_OPSET})`).argParser(parsePositiveInt('--opset')).default(DEFAULT_OPSET))
    .addOption(new Option('--layout <layout>', 'ONNX input/output layout').choices(['nchw', 'nhwc'] as const).default('nchw' as const))
    .addOption(new Option('--output <kind>', 'ONNX output').choices(['logits', 'probabilities', 'labels'] as const).default('logits' as const))
    .addOption(backendOption())
    .action(async (options) => {
      // An export written into the model it reads would replace or shadow that model's own files
      // (weights.bin, model.json): refused by real path, so a symlink or another spelling is caught too.
      if (isPathInside(canonicalPath(options.model), canonicalPath(options.out))) {
        throw new Error(`--out ${options.out} is inside the model directory ${options.model}: export writes elsewhere, never into its source`);
      }
      await initBackend(options.backend);
      if (options.format === 'onnx') {
        // Any model built from this project's layers exports (a swapped encoder too), not only LeViT-UNet.
        const model = await loadModelDir(options.model);
        try {
          await checkFiniteWeights(model, options.model);
          await exportOnnxFile(model, options.out, { opset: options.opset, layout: options.layout, output: options.output });
        } finally {
          model.dispose();
        }
        return say(`${options.out}: ONNX opset ${options.opset}, input "image" ${options.layout.toUpperCase()}, output "${options.output}"`);
      }
      const model = await loadLeViTUNet(options.model);
      try {
        await checkFiniteWeights(model, options.model);
        await exportSafetensorsFile(model, options.out, { floatDtype: options.dtype === 'f16' ? 'F16' : 'F32' });
      } finally {
        model.dispose();
      }
      say(`${options.out}: safetensors with the official PyTorch keys (load_state_dict(strict=True) of the official module)`);
    });
}
