import { Command, Option } from '@commander-js/extra-typings';
import { exportSafetensorsFile, initBackend, loadLeViTUNet, loadModelDir } from '@levit-unet/levit-unet/node';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from '@levit-unet/onnx';
import { exportOnnxFile } from '@levit-unet/onnx/node';
import { backendOption, modelDirOption, parsePositiveInt, say } from '../options.js';

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
      await initBackend(options.backend);
      if (options.format === 'onnx') {
        // Any model built from this project's layers exports (a swapped encoder too), not only LeViT-UNet.
        const model = await loadModelDir(options.model);
        try {
          await exportOnnxFile(model, options.out, { opset: options.opset, layout: options.layout, output: options.output });
        } finally {
          model.dispose();
        }
        return say(`${options.out}: ONNX opset ${options.opset}, input "image" ${options.layout.toUpperCase()}, output "${options.output}"`);
      }
      const model = await loadLeViTUNet(options.model);
      try {
        await exportSafetensorsFile(model, options.out, { floatDtype: options.dtype === 'f16' ? 'F16' : 'F32' });
      } finally {
        model.dispose();
      }
      say(`${options.out}: safetensors with the official PyTorch keys (load_state_dict(strict=True) of the official module)`);
    });
}
