'use strict';
// The pthread worker of tfjs-backend-wasm's threaded-SIMD build, as a real file Node's worker_threads accepts
// (tfjs hands Emscripten a blob: URL, which Node rejects: tensorflow/tfjs#3830). The worker's code is tfjs's own,
// shipped as a string in wasm-out/, so it always matches the installed glue and .wasm; this file only runs it
// with the CommonJS `require` / `__filename` it expects.
const { workerData, parentPort } = require('node:worker_threads');

let contents;
try {
  ({ wasmWorkerContents: contents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'));
  if (typeof contents !== 'string') throw new Error('wasmWorkerContents is not a string');
} catch (error) {
  if (workerData && workerData.probe) {
    parentPort.postMessage({ ok: false, reason: `cannot load tfjs's pthread worker code (${error.message})` });
    return;
  }
  throw error;
}

// A probe (from wasm-threads.ts) only checks that this file starts and finds the worker code.
if (workerData && workerData.probe) parentPort.postMessage({ ok: true });
// tfjs exports the code as a template literal, so its "\n" escapes arrived as raw newlines inside string
// literals; tfjs re-escapes them the same way before making its blob (backend_wasm.ts).
else new Function('require', '__filename', contents.replace(/\n/g, '\\n'))(require, __filename);
