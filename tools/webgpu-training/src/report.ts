/**
 * `pnpm --filter @levit-unet/webgpu-training-test report [-- --verbose]`: the test's comparison as JSON on
 * stdout (losses, weight error, timings, adapter, node placement, the onnxruntime-web files loaded);
 * `--verbose` copies the page's console (onnxruntime's verbose session log) to stderr; `--jsep` uses the
 * package's default build (the JavaScript WebGPU EP) instead of `onnxruntime-web/webgpu`; `--no-webgpu` starts Chromium without WebGPU.
 */
import { compareWeights, initialWeights, runCpuReference } from './cpu-reference.js';
import { CHROMIUM_ARGS, consoleWarnings, ortFilesLoaded, runInBrowser } from './harness.js';

const verbose = process.argv.includes('--verbose');
// --no-webgpu: Chromium without --enable-unsafe-webgpu, to see how a missing WebGPU is reported.
const chromiumArgs = process.argv.includes('--no-webgpu') ? CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu') : CHROMIUM_ARGS;
const build = process.argv.includes('--jsep') ? 'jsep' : 'webgpu';
const initial = await initialWeights();
const cpu = await runCpuReference(initial);
const web = await runInBrowser({ weights: initial, verbose: true, build, chromiumArgs });
if (verbose) for (const line of web.console) process.stderr.write(`${line}\n`);
if (!web.result.ok) {
  process.stderr.write(`page failed: ${web.result.error}\n${web.console.slice(-30).join('\n')}\n`);
  process.exit(1);
}
const r = web.result;
const webWeights = { manifest: r.manifest, data: new Uint8Array(Buffer.from(r.weights, 'base64')) };
const summary = {
  build,
  placements: web.placements.map((p) => ({ provider: p.provider, nodes: p.nodes, ops: p.ops, ...(p.list.length ? { list: p.list } : {}) })),
  adapter: r.adapter,
  ortVersion: r.ortVersion,
  ortWebgpuDevice: r.ortWebgpuDevice,
  crossOriginIsolated: r.crossOriginIsolated,
  userAgent: r.userAgent,
  ortFiles: ortFilesLoaded(web),
  losses: r.steps.map((s, i) => ({ step: i + 1, webgpu: s.loss, cpu: cpu.steps[i]!.loss, relative: Math.abs(s.loss - cpu.steps[i]!.loss) / Math.abs(cpu.steps[i]!.loss) })),
  weights: compareWeights(initial, webWeights, cpu.weights),
  ms: { webgpuSession: r.sessionMs, webgpuSteps: r.steps.map((s) => s.ms), cpuSession: cpu.sessionMs, cpuSteps: cpu.steps.map((s) => s.ms) },
  harnessSeconds: web.timings,
  warnings: consoleWarnings(web.console).slice(0, 20),
  consoleLines: web.console.length,
};
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
