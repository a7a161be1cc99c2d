import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { isModuleNotFound } from './optional-module.js';
import { enableWasmThreads, resolveWasmThreads } from './wasm-threads.js';
import { startWebgpu } from './webgpu.js';

/** `auto` tries tfjs-node-gpu, then tfjs-node, then webgpu on a real GPU, then wasm, then cpu. */
export type BackendChoice = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
/** The values of `--backend`. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** What `initBackend` chose: the backend, its package, its threads (and why fewer than asked), the GPU adapter. */
export interface BackendInfo {
  /** The tfjs backend now active: 'tensorflow' (tfjs-node / tfjs-node-gpu), 'webgpu', 'wasm' or 'cpu'. */
  backend: string;
  /** The package that provided it. */
  provider: string;
  /** Threads tfjs computes with on wasm (1: the single-threaded build); absent for the other backends, which manage their own. */
  threads?: number;
  /** Why wasm runs single-threaded although more threads were asked for, in one line. */
  threadsFallback?: string;
  /** On webgpu: the GPU adapter in one line (its name, vendor, and "software" for a CPU implementation). */
  adapter?: string;
}

/** Options of `initBackend`. */
export interface InitBackendOptions {
  /**
   * Threads for the wasm backend: this, else `LEVIT_THREADS`, else all cores (threaded-SIMD build, with a
   * fallback to the single-threaded build when it cannot start). 1 keeps the single-threaded build.
   */
  threads?: number;
}

/** The wasm thread count from the option or `LEVIT_THREADS`; undefined means all cores. */
function requestedWasmThreads(threads: number | undefined): number | undefined {
  if (threads !== undefined) return resolveWasmThreads(threads, 'the threads option');
  const env = process.env.LEVIT_THREADS?.trim();
  if (!env) return undefined;
  if (!/^\d+$/.test(env)) throw new Error(`LEVIT_THREADS must be a positive integer (got "${env}")`);
  return resolveWasmThreads(Number(env), 'LEVIT_THREADS');
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

async function tryWasm(threads: number | undefined): Promise<Pick<BackendInfo, 'threads' | 'threadsFallback'> | null> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    const result = await enableWasmThreads({ threads });
    if (result.fallback) process.emitWarning(result.fallback);
    return result.fallback ? { threads: result.threads, threadsFallback: result.fallback } : { threads: result.threads };
  } catch (error) {
    if (!isModuleNotFound(error)) process.emitWarning(`tfjs-backend-wasm failed to start (${(error as Error).message})`);
    return null;
  }
}

/**
 * Chooses and initialises the tfjs backend for Node: `choice`, else `LEVIT_BACKEND`, else 'auto'.
 * Also loads `@tensorflow/tfjs`, whose import registers the gradients training needs (tfjs-core alone
 * has none). An explicit choice that cannot start is an error, not a silent fallback. On wasm, runs the
 * threaded build with `options.threads` / `LEVIT_THREADS` / all cores (see wasm-threads.ts). 'webgpu'
 * needs the optional `webgpu` and `@tensorflow/tfjs-backend-webgpu` packages (see webgpu.ts); 'auto'
 * takes it only on a real GPU adapter, never a software one.
 */
export async function initBackend(choice?: string, options: InitBackendOptions = {}): Promise<BackendInfo> {
  const requested = (choice ?? process.env.LEVIT_BACKEND ?? 'auto').toLowerCase();
  if (!(BACKEND_CHOICES as readonly string[]).includes(requested)) {
    throw new Error(`unknown backend "${requested}" (from ${choice ? 'the option' : 'LEVIT_BACKEND'}): expected one of ${BACKEND_CHOICES.join(', ')}`);
  }
  const threads = requestedWasmThreads(options.threads);
  await import('@tensorflow/tfjs');
  let info: BackendInfo | null = null;
  if (requested === 'auto' || requested === 'tensorflow') {
    const native = await tryNative();
    if (native) info = { backend: 'tensorflow', provider: native };
    else if (requested === 'tensorflow') {
      throw new Error('backend "tensorflow" requested but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node could be loaded');
    }
  }
  if (!info && (requested === 'auto' || requested === 'webgpu')) {
    // A software adapter (lavapipe, SwiftShader, WARP) is 5–15× slower than wasm on the same cores: 'auto' skips it.
    const webgpu = await startWebgpu({ allowSoftware: requested === 'webgpu' });
    if (webgpu.ok) info = { backend: 'webgpu', provider: '@tensorflow/tfjs-backend-webgpu', adapter: webgpu.adapter.description };
    else if (requested === 'webgpu') throw new Error(`backend "webgpu" requested but it cannot start: ${webgpu.reason}`);
    else if (webgpu.why === 'failed') process.emitWarning(`${webgpu.reason}; trying the next backend`);
  }
  if (!info && (requested === 'auto' || requested === 'wasm')) {
    const wasm = await tryWasm(threads);
    if (wasm) info = { backend: 'wasm', provider: '@tensorflow/tfjs-backend-wasm', ...wasm };
    else if (requested === 'wasm') throw new Error('backend "wasm" requested but @tensorflow/tfjs-backend-wasm could not be started');
  }
  if (!info) {
    if (!(await tf.setBackend('cpu'))) throw new Error('the tfjs cpu backend could not be started');
    info = { backend: 'cpu', provider: '@tensorflow/tfjs-backend-cpu' };
  }
  await tf.ready();
  return info;
}
