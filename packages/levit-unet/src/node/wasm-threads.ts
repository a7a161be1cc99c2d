import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Multi-threaded tfjs-backend-wasm in Node. tfjs 4.22 never picks its threaded-SIMD build there
 * (tensorflow/tfjs#3830): `WASM_HAS_MULTITHREAD_SUPPORT` is hard-wired to false under Node, and if forced,
 * the pthread worker is handed a blob: URL that worker_threads rejects. So this module builds the threaded
 * Emscripten module itself, from tfjs's own glue, `.wasm` and worker code, with a real worker file
 * (`worker/wasm-pthread.cjs`), wraps it in tfjs's own `BackendWasm` and registers that as 'wasm'.
 */

export interface WasmThreadsOptions {
  /** Threads for XNNPACK's pool, the calling thread included: default all cores (`os.availableParallelism()`), at most MAX_WASM_THREADS. */
  threads?: number;
  /** The pthread worker script; tests point it elsewhere to simulate a failure. */
  workerFile?: string;
  /** Give up on the threaded build (and fall back) after this long; default 30 s. */
  timeoutMs?: number;
}

/** How many threads the tfjs wasm backend got, and why not more. */
export interface WasmThreadsResult {
  /** Threads the wasm backend computes with (1: the single-threaded SIMD build). */
  threads: number;
  /** Why the threaded build is not in use, in one line; absent when it is, or when 1 thread was asked for. */
  fallback?: string;
}

/** tfjs's backend.cc caps XNNPACK's pool at 8 threads, the number of pthread workers Emscripten preloads. */
export const MAX_WASM_THREADS = 8;

const DEFAULT_WORKER_FILE = fileURLToPath(new URL('../../worker/wasm-pthread.cjs', import.meta.url));
const GLUE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';

/** The part of the Emscripten module and of tfjs's BackendWasm this file relies on. */
interface ThreadedModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => unknown;
  PThread: { runningWorkers: Worker[]; unusedWorkers: Worker[]; terminateAllThreads(): void };
  tfjs?: Record<string, unknown>;
}
type ModuleFactory = (config: Record<string, unknown>) => Promise<ThreadedModule>;
interface WasmBackendPackage {
  BackendWasm: new (module: unknown) => tf.KernelBackend;
  setThreadsCount(threads: number): void;
  getThreadsCount(): number;
}

/** Resolves the requested thread count: `threads`, else all cores; bad values get one clear line. */
export function resolveWasmThreads(threads: number | undefined, source = 'threads'): number {
  const requested = threads ?? os.availableParallelism();
  if (!Number.isInteger(requested) || requested < 1) {
    throw new Error(`${source} must be a positive integer (got ${String(threads)})`);
  }
  return Math.min(requested, MAX_WASM_THREADS);
}

/** Starts the worker file once as a probe, so a worker that cannot start is a clean fallback, not a crash in Emscripten's handler. */
async function probeWorker(workerFile: string, timeoutMs: number): Promise<void> {
  if (!existsSync(workerFile)) throw new Error(`pthread worker file ${workerFile} does not exist`);
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker(workerFile, { workerData: { probe: true } });
    const timer = setTimeout(() => reject(new Error(`pthread worker ${workerFile} did not start within ${timeoutMs} ms`)), timeoutMs);
    const done = (error?: Error): void => {
      clearTimeout(timer);
      void worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    worker.once('message', (m: { ok: boolean; reason?: string }) => done(m.ok ? undefined : new Error(m.reason)));
    worker.once('error', (e) => done(new Error(`pthread worker ${workerFile} failed to start (${e.message})`)));
    worker.once('exit', (code) => done(new Error(`pthread worker ${workerFile} exited with code ${code} before starting`)));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Builds tfjs's BackendWasm on the threaded-SIMD module, as tfjs's own `init()` would in a browser. */
async function createThreadedBackend(wasmPkg: WasmBackendPackage, threads: number, workerFile: string, timeoutMs: number): Promise<tf.KernelBackend> {
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('SharedArrayBuffer is not available');
  await probeWorker(workerFile, timeoutMs);
  const require = createRequire(import.meta.url);
  const gluePath = require.resolve(GLUE);
  const factory = require(gluePath) as ModuleFactory;
  let abort: ((reason: unknown) => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    abort = (reason) => reject(new Error(`the threaded wasm module aborted (${String(reason)})`));
  });
  // backend.cc caps the pool at half of emscripten_num_logical_cores(), which the glue reads once, while the
  // module initialises, as require("os").cpus().length; report 2 × threads for that moment only.
  const realCpus = os.cpus;
  os.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]);
  };
  const module = await withTimeout(
    Promise.race([
      factory({
        // The worker file replaces tfjs's blob: URL; the glue is loaded in each worker by path, not from a Blob.
        locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? workerFile : prefix + path),
        mainScriptUrlOrBlob: gluePath,
        onAbort: (reason: unknown) => abort?.(reason),
      }),
      aborted,
    ]),
    timeoutMs,
    'loading the threaded wasm module',
  ).finally(() => {
    os.cpus = realCpus;
  });
  // The same bridge tfjs-backend-wasm's init() attaches (backend_wasm.ts).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  wasmPkg.setThreadsCount(threads);
  const backend = new wasmPkg.BackendWasm(module);
  // XNNPACK's threads run for the life of the backend; Emscripten refs their workers, which would keep
  // the process alive after the program's last line. Unref them; they die with the process.
  for (const worker of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) worker.unref();
  return backend;
}

/**
 * Makes the tfjs 'wasm' backend use the threaded-SIMD build with `threads` threads (default: all cores),
 * then initialises it. Call before anything initialises the wasm backend. When the threaded build cannot
 * start, the single-threaded (SIMD) build is used and `fallback` says why in one line; `threads: 1` asks
 * for the single-threaded build directly.
 */
export async function enableWasmThreads(options: WasmThreadsOptions = {}): Promise<WasmThreadsResult> {
  const threads = resolveWasmThreads(options.threads);
  const wasmPkg = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as WasmBackendPackage;
  const stockFactory = tf.findBackendFactory('wasm');
  if (!stockFactory) throw new Error('@tensorflow/tfjs-backend-wasm did not register the "wasm" backend');
  if ((tf.engine().registry as Record<string, unknown>)['wasm']) {
    await tf.setBackend('wasm');
    const actual = wasmPkg.getThreadsCount();
    return actual < threads ? { threads: actual, fallback: `the wasm backend was already initialised with ${actual} thread(s)` } : { threads: actual };
  }
  let fallback: string | undefined;
  if (threads > 1) {
    try {
      const backend = await createThreadedBackend(wasmPkg, threads, options.workerFile ?? DEFAULT_WORKER_FILE, options.timeoutMs ?? 30_000);
      tf.removeBackend('wasm');
      tf.registerBackend('wasm', () => backend, 2);
    } catch (error) {
      fallback = `threaded wasm unavailable, using the single-threaded build: ${(error as Error).message.split('\n')[0]}`;
      wasmPkg.setThreadsCount(1);
    }
  } else {
    wasmPkg.setThreadsCount(1);
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend could not be started');
  await tf.ready();
  return fallback === undefined ? { threads: wasmPkg.getThreadsCount() } : { threads: wasmPkg.getThreadsCount(), fallback };
}
