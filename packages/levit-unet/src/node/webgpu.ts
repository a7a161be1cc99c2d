import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { isModuleNotFound } from './optional-module.js';

/**
 * The tfjs 'webgpu' backend in Node: `@tensorflow/tfjs-backend-webgpu` on Dawn's Node bindings (the
 * `webgpu` package: Vulkan on Linux, D3D12 on Windows, Metal on macOS, prebuilt). Both packages are
 * optional peers, imported by a variable name so that neither their presence nor their types are needed
 * to build or run without them.
 */

/** The part of the WebGPU API this file reads (the `webgpu` package types it through @webgpu/types). */
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  /** Chromium's Dawn extension ('discrete GPU', 'integrated GPU', 'CPU', 'unknown'). */
  adapterType?: string;
}
interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  /** Where the spec had it before it moved to `info`. */
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}
interface WebgpuPackage {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

export interface WebgpuAdapter {
  /** The adapter in one line, e.g. "NVIDIA GeForce RTX 4090 (nvidia)" or "llvmpipe: Mesa 25.0.7 (mesa, software)". */
  description: string;
  /** A CPU implementation of WebGPU (lavapipe/llvmpipe, SwiftShader, WARP) rather than a GPU. */
  software: boolean;
}

export interface StartWebgpuOptions {
  /** Accept a software adapter; when false one is refused (`reason` says which). */
  allowSoftware: boolean;
}

/** Why webgpu did not start: 'failed' is a fault worth a warning, the others are ordinary absences. */
export type WebgpuUnavailable = 'not-installed' | 'no-adapter' | 'software-adapter' | 'failed';

export type StartWebgpuResult = { ok: true; adapter: WebgpuAdapter } | { ok: false; why: WebgpuUnavailable; reason: string };

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render driver|\bwarp\b/i;

/** Whether an adapter is a CPU implementation, from every field the Dawn and spec versions may fill. */
export function isSoftwareAdapter(adapter: GpuAdapterLike): boolean {
  const info = adapter.info ?? {};
  if (info.isFallbackAdapter === true || adapter.isFallbackAdapter === true) return true;
  if (info.adapterType !== undefined && /cpu/i.test(info.adapterType)) return true;
  return [info.vendor, info.architecture, info.device, info.description].some((field) => field !== undefined && SOFTWARE_ADAPTER.test(field));
}

function describeAdapter(adapter: GpuAdapterLike, software: boolean): string {
  const info = adapter.info ?? {};
  const name = info.description || info.device || info.architecture || 'unnamed adapter';
  const details = [info.vendor, software ? 'software' : undefined].filter((d): d is string => !!d);
  return details.length > 0 ? `${name} (${details.join(', ')})` : name;
}

function firstLine(error: unknown): string {
  return ((error as Error | null)?.message ?? String(error)).split('\n')[0]!;
}

const NOT_INSTALLED = 'it needs the optional packages "webgpu" and "@tensorflow/tfjs-backend-webgpu" (npm install webgpu @tensorflow/tfjs-backend-webgpu)';
const NO_ADAPTER = 'no WebGPU adapter found (Dawn needs a GPU with Vulkan drivers on Linux, D3D12 on Windows or Metal on macOS)';

/** Prints the adapter Dawn gives (its info, or null) as one JSON line; argv[1] is the `webgpu` package's entry. */
const PROBE_SCRIPT = `
const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const info = adapter ? adapter.info ?? {} : null;
const fields = ['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter', 'adapterType'];
console.log(JSON.stringify(adapter ? { info: Object.fromEntries(fields.map((f) => [f, info[f]])), isFallbackAdapter: adapter.isFallbackAdapter } : null));
`;

type ProbeResult = { ok: true; adapter: GpuAdapterLike } | { ok: false; why: WebgpuUnavailable; reason: string };

/** The child's reason in one line, from what it printed: Dawn's first warning or the first error, else the first line. */
function dawnHint(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('at ') && !line.startsWith('- '));
  const reason = lines.find((line) => /^(Warning|\w*Error): /.test(line));
  return (reason ?? lines[0])?.replace(/^Warning: /, '');
}

/**
 * Asks a child process for the adapter Dawn would give. Most machines have no GPU: there Dawn and the
 * graphics drivers print their complaints straight to file descriptor 2 (no hook silences them), and a
 * broken driver can crash; in a child neither reaches this process, and Dawn's reason joins ours.
 */
function probeAdapter(): Promise<ProbeResult> {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('webgpu');
    require.resolve('@tensorflow/tfjs-backend-webgpu');
  } catch {
    return Promise.resolve({ ok: false, why: 'not-installed', reason: NOT_INSTALLED });
  }
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', PROBE_SCRIPT, pathToFileURL(entry).href], { timeout: 30_000 }, (error, stdout, stderr) => {
      const hint = dawnHint(stderr);
      try {
        const adapter = JSON.parse(stdout.trim().split('\n').pop() ?? '') as GpuAdapterLike | null;
        resolve(adapter ? { ok: true, adapter } : { ok: false, why: 'no-adapter', reason: hint ? `${NO_ADAPTER}; Dawn: ${hint}` : NO_ADAPTER });
      } catch {
        resolve({ ok: false, why: 'failed', reason: `looking for a WebGPU adapter failed (${hint ?? (error ? firstLine(error) : 'no answer')})` });
      }
    });
  });
}

async function importOptional<T>(name: string): Promise<T> {
  return (await import(name)) as T;
}

/** The adapter of the 'webgpu' backend this process started, if any. */
let started: WebgpuAdapter | undefined;

interface NavigatorHolder {
  navigator?: { gpu?: unknown };
}

/** Makes `gpu` the page-style `navigator.gpu` tfjs-backend-webgpu looks for (Node 20 has no `navigator`, 21+ one without `gpu`). */
function setNavigatorGpu(gpu: GpuLike | undefined): void {
  const holder = globalThis as unknown as NavigatorHolder;
  if (gpu === undefined) {
    if (holder.navigator) Reflect.deleteProperty(holder.navigator, 'gpu');
    return;
  }
  if (!holder.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
}

/**
 * tfjs-backend-webgpu reads tensors back synchronously through an OffscreenCanvas, which Node lacks:
 * `dataSync()` would fail with "OffscreenCanvas is not defined". Say instead what to do.
 */
function explainReadSync(backend: tf.KernelBackend): void {
  if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return;
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    const cached = (backend as unknown as { tensorMap?: { get(id: object): { values?: unknown } | undefined } }).tensorMap?.get(dataId);
    if (cached?.values != null) return readSync(dataId);
    throw new Error('the webgpu backend cannot read tensors synchronously in Node (dataSync/arraySync); use the async data()/array() (training: trainStepAsync)');
  };
}

/** The part of tfjs-backend-webgpu's program objects and WebGPUBackend that `fixIntegerTranspose` touches. */
interface WebgpuProgramLike {
  shaderKey: string;
  getUserCode(): string;
}
type RunProgram = (program: WebgpuProgramLike, inputs: unknown[], outputDtype: string, ...rest: unknown[]) => unknown;

/**
 * tfjs-backend-webgpu 4.22's TransposeProgram (any transpose but a 2-D [1, 0]) writes its int32 or bool
 * element with the float32 `setOutputAtIndex`, a WGSL type error: every such transpose fails (one-hot
 * labels summed over a leading axis, in TransUNet's loss, do one). Route those writes to the integer
 * `setOutputAtIndexI32` the shader prelude also declares.
 */
function fixIntegerTranspose(backend: tf.KernelBackend): void {
  const target = backend as unknown as { runWebGPUProgram?: RunProgram };
  const run = target.runWebGPUProgram?.bind(backend);
  if (!run) return;
  target.runWebGPUProgram = (program, inputs, outputDtype, ...rest) => {
    if ((outputDtype === 'int32' || outputDtype === 'bool') && program.shaderKey.startsWith('transpose_')) {
      const userCode = program.getUserCode.bind(program);
      program.getUserCode = () => userCode().replace('setOutputAtIndex(', 'setOutputAtIndexI32(');
      program.shaderKey = `${program.shaderKey}_i32`;
    }
    return run(program, inputs, outputDtype, ...rest);
  };
}

/**
 * Starts tfjs's 'webgpu' backend on Dawn and makes it the active backend; on failure nothing is left
 * active and `reason` says why in one line. A child process looks for the adapter first (probeAdapter),
 * so Dawn is loaded here only when there is one.
 */
export async function startWebgpu(options: StartWebgpuOptions): Promise<StartWebgpuResult> {
  // Started before in this process: the engine keeps the backend (and its device); just activate it again.
  if (started && (tf.engine().registry as Record<string, unknown>)['webgpu'] && (options.allowSoftware || !started.software)) {
    if (await tf.setBackend('webgpu')) return { ok: true, adapter: started };
  }
  const probe = await probeAdapter();
  if (!probe.ok) return probe;
  // A CPU implementation of WebGPU runs LeViT-UNet 5–15× slower than the wasm backend on the same cores
  // (lavapipe, 2 cores: a 128s training step 4–5 s against 0.7 s): never worth choosing automatically.
  if (!options.allowSoftware && isSoftwareAdapter(probe.adapter)) {
    return { ok: false, why: 'software-adapter', reason: `the WebGPU adapter is a software one: ${describeAdapter(probe.adapter, true)}` };
  }
  let webgpu: WebgpuPackage;
  try {
    webgpu = await importOptional<WebgpuPackage>('webgpu');
  } catch (error) {
    // index.js loads dist/<platform>-<arch>/dawn.node; a platform without a prebuilt one fails there.
    if (/dawn\.node/.test(firstLine(error))) return { ok: false, why: 'failed', reason: `the "webgpu" package has no Dawn build for ${process.platform}-${process.arch} (${firstLine(error)})` };
    return isModuleNotFound(error)
      ? { ok: false, why: 'not-installed', reason: NOT_INSTALLED }
      : { ok: false, why: 'failed', reason: `the "webgpu" package failed to load (${firstLine(error)})` };
  }
  let gpu: GpuLike;
  let adapter: GpuAdapterLike | null;
  try {
    gpu = webgpu.create([]);
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { ok: false, why: 'failed', reason: `Dawn could not look for a GPU adapter (${firstLine(error)})` };
  }
  if (!adapter) {
    return { ok: false, why: 'no-adapter', reason: NO_ADAPTER };
  }
  const software = isSoftwareAdapter(adapter);
  const description = describeAdapter(adapter, software);
  if (software && !options.allowSoftware) return { ok: false, why: 'software-adapter', reason: `the WebGPU adapter is a software one: ${description}` };

  // The WebGPU constants and classes (GPUBufferUsage, GPUMapMode, …) tfjs-backend-webgpu uses as globals.
  for (const [key, value] of Object.entries(webgpu.globals)) {
    if (!(key in globalThis)) Object.defineProperty(globalThis, key, { value, configurable: true, writable: true });
  }
  setNavigatorGpu(gpu);
  try {
    // Registers 'webgpu' at import only when navigator.gpu exists, hence after setNavigatorGpu.
    await importOptional<unknown>('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    setNavigatorGpu(undefined);
    return isModuleNotFound(error)
      ? { ok: false, why: 'not-installed', reason: NOT_INSTALLED }
      : { ok: false, why: 'failed', reason: `@tensorflow/tfjs-backend-webgpu failed to load (${firstLine(error)})` };
  }
  if (!tf.findBackendFactory('webgpu')) {
    setNavigatorGpu(undefined);
    return { ok: false, why: 'failed', reason: '@tensorflow/tfjs-backend-webgpu was imported before navigator.gpu existed and did not register "webgpu"; leave its import to initBackend' };
  }
  try {
    if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend returned false');
  } catch (error) {
    setNavigatorGpu(undefined);
    return { ok: false, why: 'failed', reason: `tfjs-backend-webgpu failed to start on ${description} (${firstLine(error)})` };
  }
  explainReadSync(tf.backend());
  fixIntegerTranspose(tf.backend());
  started = { description, software };
  return { ok: true, adapter: started };
}
