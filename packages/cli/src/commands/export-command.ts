import { Command, Option } from '@commander-js/extra-typings';
import { exportSafetensorsFile, initBackend, loadLeViTUNet } from '@levit-unet/levit-unet/node';
import { backendOption, modelDirOption, say } from '../options.js';

export function exportCommand() {
  return new Command('export')
    .description("write a model directory's weights with the official PyTorch keys and layouts")
    .addOption(modelDirOption())
    .requiredOption('--out <file>', 'output file')
    .addOption(new Option('--format <format>', 'file format').choices(['safetensors'] as const).default('safetensors' as const))
    .addOption(new Option('--dtype <dtype>', 'float storage').choices(['f32', 'f16'] as const).default('f32' as const))
    .addOption(backendOption())
    .action(async (options) => {
      await initBackend(options.backend);
      const model = await loadLeViTUNet(options.model);
      try {
        await exportSafetensorsFile(model, options.out, { floatDtype: options.dtype === 'f16' ? 'F16' : 'F32' });
      } finally {
        model.dispose();
      }
      say(`${options.out}: ${options.format} with the official PyTorch keys (load_state_dict(strict=True) of the official module)`);
    });
}
