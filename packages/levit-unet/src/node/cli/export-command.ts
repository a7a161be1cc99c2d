import { InvalidArgumentError, type Command } from 'commander';
import { initBackend } from '../backend.js';
import { loadLeViTUNet } from '../model-dir.js';
import { exportSafetensorsFile } from '../weights-import.js';

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('write a model directory\'s weights with the official PyTorch keys and layouts')
    .requiredOption('--model <dir>', 'model directory')
    .requiredOption('--out <file>', 'output file')
    .option('--format <format>', 'safetensors', 'safetensors')
    .option('--dtype <dtype>', 'float storage: f32 or f16', 'f32')
    .option('--backend <name>', 'tfjs backend: auto, tensorflow, wasm, cpu')
    .action(async (options: { model: string; out: string; format: string; dtype: string; backend?: string }) => {
      if (options.format !== 'safetensors') throw new InvalidArgumentError(`--format must be safetensors, got "${options.format}"`);
      if (options.dtype !== 'f32' && options.dtype !== 'f16') throw new InvalidArgumentError(`--dtype must be f32 or f16, got "${options.dtype}"`);
      await initBackend(options.backend);
      const model = await loadLeViTUNet(options.model);
      await exportSafetensorsFile(model, options.out, { floatDtype: options.dtype === 'f16' ? 'F16' : 'F32' });
      model.dispose();
      process.stdout.write(`${options.out}: safetensors with the official PyTorch keys (load_state_dict(strict=True) of the official module)\n`);
    });
}
