import { TRAINING_DEVICES } from './engine.js';
/**
 * Option builders every command shares, typed through @commander-js/extra-typings: the option's type is
 * inferred from its parser and choices, so no command restates it by hand.
 */
import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { LEVIT_UNET_VARIANTS } from '@levit-unet/levit-unet';
import { BACKEND_CHOICES } from '@levit-unet/levit-unet/node';

/** A commander parser for positive integers that names the option in its error. */
export function parsePositiveInt(option: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${option} must be a positive integer, got "${value}"`);
    return n;
  };
}

/** A commander parser for any integer (seeds). */
export function parseInteger(option: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${option} must be an integer, got "${value}"`);
    return n;
  };
}

export const variantOption = () =>
  new Option('--variant <variant>', 'model size').choices(LEVIT_UNET_VARIANTS).makeOptionMandatory();

export const numClassesOption = () =>
  new Option('--num-classes <n>', 'number of classes, background included').argParser(parsePositiveInt('--num-classes')).makeOptionMandatory();

export const imgSizeOption = () =>
  new Option('--img-size <n>', 'input side in pixels (a multiple of 32)').argParser(parsePositiveInt('--img-size')).default(224);

export const backendOption = () =>
  new Option('--backend <name>', 'tfjs backend (default: LEVIT_BACKEND, else auto: tfjs-node(-gpu) if installed, else webgpu if installed and on a real GPU, else wasm)').choices(BACKEND_CHOICES);

export const modelDirOption = () => new Option('--model <dir>', 'model directory (model.json + weights.bin)').makeOptionMandatory();

export const batchSizeOption = (fallback: number) =>
  new Option('--batch-size <n>', 'images per forward pass').argParser(parsePositiveInt('--batch-size')).default(fallback);

export const datasetOption = () =>
  new Option('--dataset <kind>', 'dataset layout').choices(['synapse', 'acdc', 'nifti'] as const).makeOptionMandatory();

export const engineOption = () =>
  new Option('--engine <engine>', 'engine (default: onnxruntime when onnxruntime-node loads, else tfjs)').choices(['tfjs', 'onnxruntime'] as const);

export const deviceOption = () =>
  new Option('--device <device>', 'onnxruntime execution provider (auto: a GPU through WebGPU or CUDA where one starts, else cpu)').choices(TRAINING_DEVICES);

export const threadsOption = () =>
  new Option('--threads <n>', 'compute threads for onnxruntime and tfjs wasm (default: LEVIT_THREADS, else all cores)').argParser(parsePositiveInt('--threads'));

/** Writes one line to stdout. */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
