/**
 * The project's ONNX training graph on onnxruntime-web's WebGPU execution provider in headless Chromium
 * (SwiftShader's WebGPU where there is no GPU), against onnxruntime-node's CPU EP: 3 Adam steps of a tiny
 * UNet from the same weights on the same batches. Needs Chromium (`/usr/bin/chromium` or CHROMIUM_PATH):
 * skipped without it, a failure without it under CI=true.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareWeights, initialWeights, runCpuReference } from '../src/cpu-reference.js';
import { STEPS } from '../src/fixture.js';
import { CHROMIUM_PATH, consoleWarnings, ortFilesLoaded, runInBrowser } from '../src/harness.js';

/** The fixture's float32 Adam tolerance (../shared/fixtures/official/train-128s/README.md): whole-tensor ‖Δ − Δref‖ / ‖Δref‖. */
const WEIGHT_TOLERANCE = 1.6e-2;
const LOSS_TOLERANCE = 1e-3;

const haveChromium = existsSync(CHROMIUM_PATH);
const reason = `${CHROMIUM_PATH} is absent (apt-get install chromium, or set CHROMIUM_PATH)`;
if (!haveChromium && process.env.CI !== 'true') console.warn(`[skip] webgpu training: ${reason}`);

describe.skipIf(!haveChromium && process.env.CI !== 'true')('training graph on onnxruntime-web WebGPU', () => {
  it(`${STEPS} Adam steps match onnxruntime-node's CPU EP`, async () => {
    if (!haveChromium) throw new Error(`webgpu training: ${reason}; under CI=true Chromium is required`);
    const initial = await initialWeights();
    const cpu = await runCpuReference(initial);
    const web = await runInBrowser({ weights: initial, verbose: true, timeoutMs: 200_000 });
    if (!web.result.ok) throw new Error(`the page failed: ${web.result.error}\n${consoleWarnings(web.console).slice(-20).join('\n')}`);
    const r = web.result;

    const total = web.placements.reduce((n, p) => n + p.nodes, 0);
    const gpuNodes = web.placements.find((p) => p.provider === 'WebGpuExecutionProvider')?.nodes ?? 0;
    const others = web.placements.filter((p) => p.provider !== 'WebGpuExecutionProvider');
    const webWeights = { manifest: r.manifest, data: new Uint8Array(Buffer.from(r.weights, 'base64')) };
    const weights = compareWeights(initial, webWeights, cpu.weights);
    const losses = r.steps.map((s, i) => ({ webgpu: s.loss, cpu: cpu.steps[i]!.loss, relative: Math.abs(s.loss - cpu.steps[i]!.loss) / Math.abs(cpu.steps[i]!.loss) }));
    const a = r.adapter;
    console.log(
      [
        `adapter: ${a.vendor} ${a.architecture} ${a.device} ${a.description}`.replace(/\s+/g, ' ').trim() + ` (fallback adapter: ${a.isFallbackAdapter}); ${r.userAgent}`,
        `onnxruntime-web ${r.ortVersion}, executionProviders [${r.executionProviders}], env.webgpu.device set: ${r.ortWebgpuDevice}, cross-origin isolated: ${r.crossOriginIsolated}; loaded ${ortFilesLoaded(web).join(', ')}`,
        `node placement: ${web.placements.map((p) => `${p.provider} ${p.nodes}`).join(', ') || 'not in the log'}` +
          others.map((p) => `; on ${p.provider}: ${p.list.length ? p.list.join(', ') : JSON.stringify(p.ops)}`).join(''),
        ...losses.map((l, i) => `step ${i + 1}: loss webgpu ${l.webgpu.toPrecision(8)}, cpu ${l.cpu.toPrecision(8)}, relative ${l.relative.toExponential(2)}`),
        `weights: ‖Δwebgpu − Δcpu‖/‖Δcpu‖ = ${weights.trainableDeltaError.toExponential(2)} (‖Δcpu‖ ${weights.trainableDeltaNorm.toExponential(2)}), BatchNorm statistics ${weights.statisticsError.toExponential(2)}`,
        `ms: webgpu session ${r.sessionMs.toFixed(0)}, steps ${r.steps.map((s) => s.ms.toFixed(0)).join(' / ')}; cpu session ${cpu.sessionMs.toFixed(0)}, steps ${cpu.steps.map((s) => s.ms.toFixed(1)).join(' / ')}`,
        `harness s: bundle ${web.timings.bundle.toFixed(1)}, browser ${web.timings.launch.toFixed(1)}, page ${web.timings.page.toFixed(1)}`,
      ].join('\n'),
    );

    // WebGPU really ran: the session was created with the WebGPU EP alone (onnxruntime-web throws rather than
    // run it on wasm when WebGPU cannot start), the EP set up its GPUDevice, and it holds the graph's nodes.
    expect(r.executionProviders).toEqual(['webgpu']);
    expect(r.ortWebgpuDevice, 'ort.env.webgpu.device was not set: the WebGPU EP did not start').toBe(true);
    expect(total, "no node placement in onnxruntime's verbose session log").toBeGreaterThan(0);
    expect(gpuNodes / total, `share of nodes on the WebGPU EP (${web.placements.map((p) => `${p.provider} ${p.nodes}`).join(', ')})`).toBeGreaterThan(0.9);

    expect(r.steps.map((s) => s.applied)).toEqual(Array(STEPS).fill(true));
    for (const l of losses) {
      expect(Number.isFinite(l.webgpu)).toBe(true);
      expect(l.relative).toBeLessThan(LOSS_TOLERANCE);
    }
    expect(weights.trainableDeltaNorm).toBeGreaterThan(0);
    expect(weights.trainableDeltaError, `worst tensors: ${JSON.stringify(weights.worst)}`).toBeLessThan(WEIGHT_TOLERANCE);
    expect(weights.statisticsError).toBeLessThan(1e-3);
    expect(weights.countersDiffer).toEqual([]);
  });
});
