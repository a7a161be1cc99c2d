import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';

/** `auto` tries tfjs-node-gpu, then tfjs-node, then wasm, then cpu. */
export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The tfjs backend now active: 'tensorflow' (tfjs-node / tfjs-node-gpu), 'wasm' or 'cpu'. */
  backend: string;
  /** The package that provided it. */
  provider: string;
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  // Bundlers and test runners (vite) report an absent optional package with their own message instead of a code.
  const message = (error as { message?: string } | null)?.message ?? '';
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Could not resolve "|Cannot find (module|package)/.test(message);
}

/** Imports the native tfjs-node(-gpu) binding if the user installed one; null when absent or broken. */
async function tryNative(): Promise<string | null> {
  for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(name);
      if (await tf.setBackend('tensorflow')) return name;
    } catch (error) {
      if (!isModuleNotFound(error)) {
        process.emitWarning(`${name} is installed but failed to load (${(error as Error).message}); trying the next backend`);
      }
    }
  }
  return null;
}

async function tryWasm(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    return await tf.setBackend('wasm');
  } catch (error) {
    if (!isModuleNotFound(error)) process.emitWarning(`tfjs-backend-wasm failed to start (${(error as Error).message})`);
    return false;
  }
}

/**
 * Chooses and initialises the tfjs backend for Node: `choice`, else `LEVIT_BACKEND`, else 'auto'.
 * Also loads `@tensorflow/tfjs`, whose import registers the gradients training needs (tfjs-core alone
 * has none). An explicit choice that cannot start is an error, not a silent fallback.
 */
export async function initBackend(choice?: string): Promise<BackendInfo> {
  const requested = (choice ?? process.env.LEVIT_BACKEND ?? 'auto').toLowerCase();
  if (!(BACKEND_CHOICES as readonly string[]).includes(requested)) {
    throw new Error(`unknown backend "${requested}" (from ${choice ? 'the option' : 'LEVIT_BACKEND'}): expected one of ${BACKEND_CHOICES.join(', ')}`);
  }
  await import('@tensorflow/tfjs');
  let info: BackendInfo | null = null;
  if (requested === 'auto' || requested === 'tensorflow') {
    const native = await tryNative();
    if (native) info = { backend: 'tensorflow', provider: native };
    else if (requested === 'tensorflow') {
      throw new Error('backend "tensorflow" requested but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node could be loaded');
    }
  }
  if (!info && (requested === 'auto' || requested === 'wasm')) {
    if (await tryWasm()) info = { backend: 'wasm', provider: '@tensorflow/tfjs-backend-wasm' };
    else if (requested === 'wasm') throw new Error('backend "wasm" requested but @tensorflow/tfjs-backend-wasm could not be started');
  }
  if (!info) {
    if (!(await tf.setBackend('cpu'))) throw new Error('the tfjs cpu backend could not be started');
    info = { backend: 'cpu', provider: '@tensorflow/tfjs-backend-cpu' };
  }
  await tf.ready();
  return info;
}
