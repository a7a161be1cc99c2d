import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runJsonChild, type JsonChildRun } from '@levit-unet/test-utils/json-child';
import type { BackendInfo } from '../src/node/backend.js';
import { isSoftwareAdapter } from '../src/node/webgpu.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Runs test/fixtures/webgpu-child.ts in its own process: Dawn and a second backend stay out of this
 * vitest worker. Resolves with the child's last stdout line (JSON).
 */
function runChild(mode: 'probe' | 'compare', env: Record<string, string> = {}, timeoutMs = 60_000): Promise<JsonChildRun> {
  return runJsonChild(join(here, 'fixtures/webgpu-child.ts'), { args: [mode], env: { ...process.env, ...env }, timeoutMs });
}

interface ProbeResult {
  explicit: { info?: BackendInfo; error?: string };
  auto: BackendInfo;
}

// What this machine offers, asked once before the tests are collected (skipIf needs it).
const probe = (await runChild('probe')).result as unknown as ProbeResult;
const adapter = probe.explicit.info?.adapter;
const softwareAdapter = adapter !== undefined && /[(\s]software\)$/.test(adapter);
if (!adapter) {
  console.warn(
    `webgpu-backend.test: no WebGPU adapter on this machine (${probe.explicit.error}); the webgpu-vs-wasm training comparison is skipped. ` +
      "A software one is enough: Mesa's lavapipe 25 (on Debian 12: mesa-vulkan-drivers from bookworm-backports; Dawn refuses bookworm's 22.3).",
  );
}

describe('webgpu backend', () => {
  it('tells software adapters (lavapipe, SwiftShader, WARP) from GPUs by every field Dawn may fill', () => {
    // lavapipe as Dawn reports it (Mesa 25.0.7); the others as Chromium's Dawn reports them.
    const lavapipe = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)', isFallbackAdapter: true };
    expect(isSoftwareAdapter({ info: lavapipe })).toBe(true);
    expect(isSoftwareAdapter({ info: { ...lavapipe, isFallbackAdapter: undefined } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device (Subzero)' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'microsoft', description: 'Microsoft Basic Render Driver' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'x', adapterType: 'CPU' } })).toBe(true);
    expect(isSoftwareAdapter({ info: {}, isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3080', adapterType: 'discrete GPU', isFallbackAdapter: false } })).toBe(false);
    expect(isSoftwareAdapter({ info: { vendor: 'apple', architecture: 'metal-3', description: 'Apple M1 Max' } })).toBe(false);
    expect(isSoftwareAdapter({ info: { vendor: 'intel', architecture: 'gen-12lp', description: 'Intel(R) Iris(R) Xe Graphics' } })).toBe(false);
  });

  // Hiding the Vulkan drivers is how to take the adapter away on Linux; other systems have no such switch.
  it.skipIf(process.platform !== 'linux')('without a GPU adapter: initBackend("webgpu") fails with one line, auto moves on', async () => {
    const { result, code } = await runChild('probe', { VK_DRIVER_FILES: '/nonexistent/icd.json', VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    const { explicit, auto } = result as unknown as ProbeResult;
    expect(code).toBe(0);
    expect(explicit.info).toBeUndefined();
    expect(explicit.error).toMatch(/^backend "webgpu" requested but it cannot start: no WebGPU adapter found \(Dawn needs a GPU with Vulkan drivers on Linux/);
    expect(explicit.error).not.toContain('\n');
    expect(auto.backend).not.toBe('webgpu');
  });

  it.skipIf(!adapter)(`auto takes webgpu on a GPU, never on a software adapter (here: ${adapter ?? 'none'})`, () => {
    expect(probe.explicit.info).toMatchObject({ backend: 'webgpu', provider: '@tensorflow/tfjs-backend-webgpu' });
    if (softwareAdapter) expect(probe.auto.backend).not.toBe('webgpu');
    // tfjs-node(-gpu), when installed, comes before webgpu.
    else expect(['webgpu', 'tensorflow']).toContain(probe.auto.backend);
  });

  it.skipIf(!adapter)('LeViT-UNet-128s forward and 3 Adam training steps on webgpu match wasm', async () => {
    const run = await runChild('compare', {}, 180_000);
    const r = run.result as {
      backends: BackendInfo[];
      lr: number;
      losses: { wasm: number[]; webgpu: number[] };
      forward: { diff: number; scale: number };
      gradient: { value: number; name: string };
      update: { relative: number; norm: number; largestDifference: number };
      runningStatistics: { value: number; name: string };
      leaked: { wasm: number; webgpu: number };
      seconds: { wasm: { forward: number; steps: number[] }; webgpu: { forward: number; steps: number[] } };
    };
    console.info(`webgpu on ${adapter}: forward ${r.seconds.webgpu.forward.toFixed(1)} s, steps ${r.seconds.webgpu.steps.map((s) => s.toFixed(1)).join('/')} s (wasm, 1 thread: ${r.seconds.wasm.forward.toFixed(1)} s, ${r.seconds.wasm.steps.map((s) => s.toFixed(1)).join('/')} s); child ${run.seconds.toFixed(0)} s`);
    expect(run.code).toBe(0);
    expect(r.backends.map((b) => b.backend)).toEqual(['wasm', 'webgpu']);
    // Tolerances are float32 rounding through ~150 layers and two sets of kernels (different summation
    // orders), with a margin of 10–25× over what lavapipe gives (measured values in brackets).
    // Inference logits: max |Δ| ≤ 1e-5 of max(1, max |logit|) [1e-6].
    expect(r.forward.diff).toBeLessThanOrEqual(1e-5 * Math.max(1, r.forward.scale));
    // The loss of each step, relative [≤ 7e-6].
    r.losses.wasm.forEach((loss, i) => expect(Math.abs(r.losses.webgpu[i]! - loss), `loss of step ${i + 1}`).toBeLessThanOrEqual(1e-4 * Math.abs(loss)));
    // The first step's gradients, each variable against its largest entry [4e-5].
    expect(r.gradient.value, `gradient of ${r.gradient.name}`).toBeLessThanOrEqual(1e-3);
    // What 3 Adam steps did to the weights: ‖Δwebgpu − Δwasm‖ ≤ 5 % of ‖Δwasm‖ [0.7 %], no weight apart by lr or more [0.34·lr].
    expect(r.update.norm).toBeGreaterThan(0);
    expect(r.update.relative).toBeLessThanOrEqual(0.05);
    expect(r.update.largestDifference).toBeLessThan(r.lr);
    // BatchNorm running statistics, against max(1, largest entry) [1.6e-3].
    expect(r.runningStatistics.value, r.runningStatistics.name).toBeLessThanOrEqual(2e-2);
    expect(r.leaked).toEqual({ wasm: 0, webgpu: 0 });
  }, 200_000);
});
