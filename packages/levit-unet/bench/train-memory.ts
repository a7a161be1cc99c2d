/**
 * Training memory and speed at 224×224: per size, seconds per step (forward + backward + Adam, softmax
 * cross-entropy), the peak bytes of live tfjs tensors (`tf.profile` of one step; tfjs counts a buffer once
 * per tensor sharing it, so this overstates), the wasm heap (it only grows, so its final size is the
 * step's peak with the allocator's slack; wasm32 caps it at 4 GiB) and the process's peak RSS.
 * Each size runs in its own child process, so one size's heap cannot inflate the next one's figures.
 * `npx tsx bench/train-memory.ts [--variants 128s,192,384] [--batch 8] [--steps 2] [--backend wasm]
 *   [--optimizer per-variable-adam|adam] [--top 0]` (--top N: the N kernels that left the most bytes alive)
 * Prints one JSON line per size (`fits: false` with the error when a step runs out of memory).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { createLeViTUNet, type LeViTUNetVariant } from '../src/index.js';
import { initBackend } from '../src/node/index.js';
import { perVariableAdam } from './per-variable-adam.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const MiB = 2 ** 20;
const mib = (bytes: number) => Math.round(bytes / MiB);

/** The wasm backend's heap in bytes (the emscripten module's HEAPU8), or null on other backends. */
function wasmHeapBytes(): number | null {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.length ?? null;
}

async function measure(variant: LeViTUNetVariant): Promise<Record<string, unknown>> {
  const { backend } = await initBackend(arg('backend', 'wasm'));
  // Profiling would otherwise read back every kernel's output to look for NaNs.
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  const batch = Number(arg('batch', '8'));
  const steps = Number(arg('steps', '2'));
  const top = Number(arg('top', '0'));
  const heapBefore = wasmHeapBytes();
  const model = createLeViTUNet({ variant, numClasses: 9 });
  const optimizerName = arg('optimizer', 'per-variable-adam');
  if (optimizerName !== 'adam' && optimizerName !== 'per-variable-adam') {
    throw new Error(`--optimizer must be adam or per-variable-adam, got ${optimizerName}`);
  }
  // Same update; tf.train.adam keeps every variable's temporaries until the last one is updated.
  const optimizer = optimizerName === 'adam' ? tf.train.adam(1e-4) : perVariableAdam(1e-4);
  const x = tf.randomUniform([batch, 224, 224, 1]);
  const y = tf.oneHot(tf.randomUniform([batch, 224, 224], 0, 9, 'int32'), 9);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = async () => {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
      vars,
    );
    await loss!.data();
    loss!.dispose();
  };
  const row: Record<string, unknown> = { variant, backend, batch, optimizer: optimizerName };
  try {
    const seconds: number[] = [];
    const cpuSeconds: number[] = [];
    let tensorsAfterFirst = 0;
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      await step();
      seconds.push((performance.now() - t0) / 1000);
      const cpu = process.cpuUsage(cpu0);
      cpuSeconds.push((cpu.user + cpu.system) / 1e6);
      if (s === 0) tensorsAfterFirst = tf.memory().numTensors;
    }
    const bytesBetweenSteps = tf.memory().numBytes;
    const profile = await tf.profile(step);
    const timed = seconds.length > 1 ? seconds.slice(1) : seconds;
    Object.assign(row, {
      fits: true,
      secondsPerStep: +Math.min(...timed).toFixed(2),
      // CPU time of this (single-threaded) process: the step's cost even when other processes share the cores.
      cpuSecondsPerStep: +Math.min(...(cpuSeconds.length > 1 ? cpuSeconds.slice(1) : cpuSeconds)).toFixed(2),
      allSeconds: seconds.map((t) => +t.toFixed(2)),
      peakTensorMiB: mib(profile.peakBytes),
      betweenStepsTensorMiB: mib(bytesBetweenSteps),
      tensorLeakPerStep: steps > 1 ? (tf.memory().numTensors - tensorsAfterFirst) / (steps - 1) : null,
    });
    if (top > 0) {
      // The kernels that left the most bytes alive: where the step's memory goes.
      const byName = new Map<string, number>();
      for (const k of profile.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + Math.max(0, k.bytesAdded));
      row.topKernelsMiB = Object.fromEntries(
        [...byName].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, bytes]) => [name, mib(bytes)]),
      );
    }
  } catch (error) {
    Object.assign(row, { fits: false, error: (error as Error).message.split('\n')[0].slice(0, 200) });
  }
  const heap = wasmHeapBytes();
  Object.assign(row, {
    wasmHeapMiB: heap == null ? null : mib(heap),
    wasmHeapBeforeModelMiB: heapBefore == null ? null : mib(heapBefore),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  });
  return row;
}

const child = arg('child', '');
if (child) {
  console.log(JSON.stringify(await measure(child as LeViTUNetVariant)));
} else {
  const script = fileURLToPath(import.meta.url);
  const passOn = process.argv.slice(2).filter((_, i, all) => all[i] !== '--variants' && all[i - 1] !== '--variants');
  for (const variant of arg('variants', '128s,192,384').split(',')) {
    const run = spawnSync(process.execPath, [...process.execArgv, script, ...passOn, '--child', variant], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    });
    const line = run.stdout.trim().split('\n').pop();
    console.log(line || JSON.stringify({ variant, fits: false, error: `child exited with ${run.status ?? run.signal}` }));
  }
}
