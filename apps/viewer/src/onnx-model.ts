import { createOnnxEngine, type OnnxEngine, type OnnxInferenceRuntime } from '@levit-unet/onnx';
import ortWasmMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortAsyncifyMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortAsyncifyWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';

export type OrtDevice = 'wasm' | 'webgpu';

/** Intra-op threads for onnxruntime-web: every core when the page is cross-origin isolated (wasm threads need SharedArrayBuffer), else 1. */
export function ortThreads(): number {
  return self.crossOriginIsolated ? Math.max(1, Math.min(16, navigator.hardwareConcurrency || 1)) : 1;
}

/**
 * onnxruntime-web's build for a device, loaded on first use: `onnxruntime-web/wasm` (CPU, wasm SIMD and threads)
 * or `onnxruntime-web/webgpu` (the C++ WebGPU execution provider, its asyncify build).
 *
 * `wasmPaths` names onnxruntime's own emscripten module (.mjs, as published) and its .wasm: without it the
 * bundled copy inside the JS chunk is used, and its thread workers would load that chunk, which also imports
 * the page's code (`document is not defined` in a worker, the session never opens).
 */
async function loadOrt(device: OrtDevice): Promise<OnnxInferenceRuntime> {
  const ort = device === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
  ort.env.wasm.wasmPaths = device === 'webgpu' ? { mjs: ortAsyncifyMjsUrl, wasm: ortAsyncifyWasmUrl } : { mjs: ortWasmMjsUrl, wasm: ortWasmUrl };
  ort.env.wasm.numThreads = ortThreads();
  return ort as unknown as OnnxInferenceRuntime;
}

/** Throws one line unless this browser can give WebGPU an adapter. */
async function checkWebGpu(): Promise<void> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) {
    throw new Error(
      'engine=webgpu: this browser exposes no WebGPU (navigator.gpu is missing; it needs a secure context, https or localhost, ' +
        'and on Linux Chromium --enable-unsafe-webgpu): use engine=wasm',
    );
  }
  if (!(await gpu.requestAdapter())) throw new Error('engine=webgpu: navigator.gpu.requestAdapter() found no WebGPU adapter: use engine=wasm');
}

/**
 * An ONNX segmentation model (ours: `image` N×1×H×W → `logits` N×C×H×W) in onnxruntime-web on one device alone:
 * with `executionProviders: ['webgpu']` onnxruntime-web fails instead of quietly running on wasm.
 */
export async function openOnnxModel(bytes: Uint8Array, name: string, device: OrtDevice): Promise<OnnxEngine> {
  if (device === 'webgpu') await checkWebGpu();
  try {
    return await createOnnxEngine(() => loadOrt(device), bytes, {
      source: name,
      name: `onnxruntime-web ${device}`,
      sessionOptions: { executionProviders: [device], graphOptimizationLevel: 'all' },
    });
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (message.startsWith(`${name}: `)) throw error;
    throw new Error(`${name}: onnxruntime-web (${device}) could not open the model (${message.split('\n')[0]})`);
  }
}
