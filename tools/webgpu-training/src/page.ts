/**
 * The browser side of the WebGPU training test: bundled by esbuild at test time (test/webgpu-training.test.ts)
 * and loaded by a page that the test's server serves. onnxruntime-web stays outside the bundle: the page's
 * import map points `onnxruntime-web/webgpu` at the package's own dist files, which load their wasm from
 * the same folder (`env.wasm.wasmPaths`).
 *
 * It builds the tiny model on tfjs' cpu backend, loads the weights the test serves (so Node and the page
 * start from the same numbers), trains `STEPS` Adam steps with `createOnnxTrainer` on the WebGPU execution
 * provider alone, and leaves losses, timings, the adapter and the final weights in `window.__webgpuTraining`.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web/webgpu';
import { createOnnxTrainer, type OnnxRuntimeLike } from '@levit-unet/onnx';
import { BATCH, LR, OPTIMIZER, STEPS, createTinyModel, loadWeights, makeBatch, packWeights, type WeightEntry } from './fixture.js';

export interface PageStep {
  loss: number;
  ce: number;
  dice: number;
  applied: boolean;
  ms: number;
}

export interface PageResult {
  ok: true;
  crossOriginIsolated: boolean;
  userAgent: string;
  adapter: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter: boolean | null; features: string[] };
  /** What the session was asked for (executionProviders) and what onnxruntime-web set up. */
  executionProviders: string[];
  ortVersion: string;
  /** `ort.env.webgpu.device` after session creation: a GPUDevice when the WebGPU EP started. */
  ortWebgpuDevice: boolean;
  sessionMs: number;
  steps: PageStep[];
  manifest: WeightEntry[];
  /** The final packed weights (after `syncModel`), base64. */
  weights: string;
}

export interface PageFailure {
  ok: false;
  error: string;
}

declare global {
  interface Window {
    __webgpuTraining?: PageResult | PageFailure;
  }
}

async function fetchOk(path: string): Promise<Response> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${response.statusText}`);
  return response;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function run(): Promise<PageResult> {
  const params = new URLSearchParams(location.search);
  const verbose = params.get('verbose') === '1';
  ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;

  const gpu = (navigator as any).gpu;
  if (!gpu) throw new Error('navigator.gpu is missing: this browser exposes no WebGPU (start Chromium with --enable-unsafe-webgpu)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned null: no WebGPU adapter');
  const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};

  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs cpu backend did not start');
  await tf.ready();
  const model = createTinyModel();
  const manifest = (await (await fetchOk('/weights.json')).json()) as WeightEntry[];
  const data = new Uint8Array(await (await fetchOk('/weights.bin')).arrayBuffer());
  loadWeights(model, { manifest, data });

  const executionProviders = ['webgpu'];
  const t0 = performance.now();
  // WebGPU only: with no wasm in the list, onnxruntime-web throws ("no available backend found") instead of
  // quietly running the session on the wasm backend when WebGPU cannot start. Nodes the WebGPU EP has no
  // kernel for still go to the CPU EP inside the session, as in every onnxruntime build.
  const runtime = ort as unknown as OnnxRuntimeLike;
  // verbose: the session logs at VERBOSE while it is created (node placement), its runs at WARNING.
  // onnxruntime-web does not write pre-allocated outputs: the trainer fetches them by name (its default).
  const trainer = await createOnnxTrainer(runtime, model, {
    batchSize: BATCH,
    optimizer: OPTIMIZER,
    device: 'webgpu',
    sessionOptions: { executionProviders, graphOptimizationLevel: 'all', ...(verbose ? { logSeverityLevel: 0, logVerbosityLevel: 0 } : {}) },
  });
  const sessionMs = performance.now() - t0;
  const ortWebgpuDevice = typeof (ort.env.webgpu as any).device === 'object' && (ort.env.webgpu as any).device !== null;

  const steps: PageStep[] = [];
  try {
    for (let s = 0; s < STEPS; s++) {
      const t = performance.now();
      const r = await trainer.step(makeBatch(s), LR);
      steps.push({ loss: r.loss, ce: r.ce, dice: r.dice, applied: r.applied, ms: performance.now() - t });
    }
    trainer.syncModel();
  } finally {
    await trainer.dispose();
  }
  const packed = packWeights(model);
  return {
    ok: true,
    crossOriginIsolated: self.crossOriginIsolated,
    userAgent: navigator.userAgent,
    adapter: {
      vendor: String(info.vendor ?? ''),
      architecture: String(info.architecture ?? ''),
      device: String(info.device ?? ''),
      description: String(info.description ?? ''),
      isFallbackAdapter: typeof info.isFallbackAdapter === 'boolean' ? info.isFallbackAdapter : typeof adapter.isFallbackAdapter === 'boolean' ? adapter.isFallbackAdapter : null,
      features: [...adapter.features].map(String).sort(),
    },
    executionProviders,
    ortVersion: ort.env.versions.web ?? '',
    ortWebgpuDevice,
    sessionMs,
    steps,
    manifest: packed.manifest,
    weights: toBase64(packed.data),
  };
}

run().then(
  (result) => {
    window.__webgpuTraining = result;
  },
  (error: unknown) => {
    window.__webgpuTraining = { ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) };
  },
);
