import type { TrainingDevice } from './training-device.js';

/** The onnxruntime module the engine and trainer use: onnxruntime-node's API (onnxruntime-web's is the same onnxruntime-common API). */
export type OrtModule = typeof import('onnxruntime-node');

/** An onnxruntime module and which package it came from. */
export interface LoadedOnnxRuntime {
  ort: OrtModule;
  /** onnxruntime-node: native CPU, WebGPU and CUDA providers; onnxruntime-web: its wasm build (CPU only). */
  package: 'onnxruntime-node' | 'onnxruntime-web';
}

let warned = false;

/**
 * onnxruntime-node when it loads, else onnxruntime-web's wasm build (CPU, `threads` workers): npm drops
 * the optional onnxruntime-node where its install script cannot download the CUDA provider files (Linux
 * x64 behind a registry-only network, microsoft/onnxruntime#24770), and the engine still has to run
 * there. The fallback is announced once (a process warning with the command that brings the native
 * runtime back); a GPU `device` needs onnxruntime-node and fails in one line naming `caller`.
 */
export async function loadOnnxRuntime(caller: string, options: { device?: TrainingDevice; threads?: number } = {}): Promise<LoadedOnnxRuntime> {
  let nodeError: Error;
  try {
    return { ort: await import('onnxruntime-node'), package: 'onnxruntime-node' };
  } catch (error) {
    nodeError = error as Error;
  }
  const device = options.device ?? 'cpu';
  const reinstall = 'npm install onnxruntime-node@1.30.0 --onnxruntime-node-install=skip';
  if (device !== 'cpu') {
    throw new Error(`${caller}: device ${device} needs onnxruntime-node, which could not be loaded (${nodeError.message.split('\n')[0]}); install it with \`${reinstall}\``);
  }
  let web: OrtModule;
  try {
    // Same onnxruntime-common API; its Node build runs the wasm provider (registered as 'cpu' and 'wasm').
    web = (await import('onnxruntime-web')) as unknown as OrtModule;
  } catch {
    throw new Error(
      `${caller} needs onnxruntime-node (or onnxruntime-web), which could not be loaded (${nodeError.message.split('\n')[0]}): ` +
        `install it with \`${reinstall}\` (skip leaves out its optional CUDA download)`,
    );
  }
  if (options.threads !== undefined) web.env.wasm.numThreads = options.threads;
  if (!warned) {
    warned = true;
    process.emitWarning(
      `onnxruntime-node is not installed, so ${caller} runs onnxruntime-web's wasm build on the CPU (several times slower); for the native runtime: ${reinstall}`,
      { code: 'LEVIT_ONNXRUNTIME_WASM' },
    );
  }
  return { ort: web, package: 'onnxruntime-web' };
}
