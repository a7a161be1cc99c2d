import { createTfjsEngine, type SegmentationEngine } from '@levit-unet/inference';
import type { ModelSource } from './model-source.js';
/* eslint-disable no-restricted-imports -- tfjs-backend-wasm publishes its .wasm files only under dist/ (no
   exports map); Vite's ?url copies them into the build, where setWasmPaths finds them. Not a package wall. */
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
/* eslint-enable no-restricted-imports */

export type TfjsBackend = 'wasm' | 'webgpu';

/**
 * A tfjs model directory (model.json + weights.bin, as `levit-unet train` and `import-torch` write) on tfjs's wasm
 * backend (threads when cross-origin isolated) or WebGPU backend. tfjs and the project's layers load on first use.
 */
export async function openTfjsModel(source: Extract<ModelSource, { kind: 'tfjs-files' | 'tfjs-url' }>, backend: TfjsBackend): Promise<SegmentationEngine> {
  const [tf, layers] = await Promise.all([import('@tensorflow/tfjs-core'), import('@tensorflow/tfjs-layers')]);
  // The project's layer classes register themselves with tfjs-layers' serialization when imported.
  await Promise.all([import('@levit-unet/levit-blocks'), import('@levit-unet/unet-decoder')]);
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
    });
    if (self.crossOriginIsolated) wasm.setThreadsCount(Math.max(1, Math.min(8, navigator.hardwareConcurrency || 1)));
  } else {
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  if (!(await tf.setBackend(backend))) throw new Error(`engine=tfjs: tfjs's ${backend} backend did not start in this browser`);
  await tf.ready();
  let model;
  try {
    model = await layers.loadLayersModel(source.kind === 'tfjs-url' ? source.url : tf.io.browserFiles([...source.files]));
  } catch (error) {
    throw new Error(`${source.name}: not a loadable tfjs model directory (${(error as Error).message.split('\n')[0]})`);
  }
  try {
    return createTfjsEngine(model, { ownsModel: true });
  } catch (error) {
    model.dispose();
    throw new Error(`${source.name}: ${(error as Error).message}`);
  }
}
