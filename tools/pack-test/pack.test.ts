import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * What a user gets from npm: every package is packed with `pnpm pack` (which rewrites `workspace:`
 * ranges to versions), the tarballs are installed with npm into a scratch project outside the
 * workspace, and the packages are imported and used from there.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packages = ['safe-fs', 'torch-io', 'raster', 'levit-blocks', 'unet-decoder', 'levit-unet', 'datasets', 'metrics', 'inference', 'training', 'onnx', 'cli'];
const scratch = mkdtempSync(join(tmpdir(), 'levit-unet-pack-'));
const pnpm = process.env.npm_execpath && /pnpm/.test(process.env.npm_execpath) ? process.env.npm_execpath : null;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('published packages', () => {
  it('pack, install outside the workspace and work', () => {
    const tarballs = join(scratch, 'tarballs');
    for (const name of packages) {
      const cwd = join(root, 'packages', name);
      if (pnpm) run(process.execPath, [pnpm, 'pack', '--pack-destination', tarballs], cwd);
      else run('npx', ['-y', 'pnpm@10.34.9', 'pack', '--pack-destination', tarballs], cwd);
    }
    const files = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
    expect(files.length).toBe(packages.length);
    const project = join(scratch, 'project');
    run('mkdir', ['-p', project], scratch);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
    run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...files.map((f) => join(tarballs, f))], project);
    writeFileSync(
      join(project, 'check.mjs'),
      `
import * as tf from '@tensorflow/tfjs';
import { LeViTConv2dBN } from '@levit-unet/levit-blocks';
import { UNetDecoder } from '@levit-unet/unet-decoder';
import { createLeViTUNet, describeLeViTUNet } from '@levit-unet/levit-unet';
import { initBackend } from '@levit-unet/levit-unet/node';
import { parseNpy, encodeNpy } from '@levit-unet/datasets';
import { readWeights, writeSafetensors } from '@levit-unet/torch-io';
import * as metrics from '@levit-unet/metrics';
import { ConvEncoder, createUNet } from '@levit-unet/unet-decoder';
import { createOnnxRuntimeTrainingEngine } from '@levit-unet/training/node';
const info = await initBackend();
// One onnxruntime training step from the installed packages (the engine the CLI trains with).
const small = createUNet({ encoder: new ConvEncoder({ channels: [4, 8] }), inputShape: [16, 16, 1], numClasses: 2, decoderChannels: [4] });
const engine = await createOnnxRuntimeTrainingEngine({ threads: 1 })({ model: small, optimizer: { name: 'adam' }, numClasses: 2, lossWeights: [0.5, 0.5], batchSize: 2, imageSize: [16, 16], variables: [] });
const labels = Int32Array.from({ length: 512 }, (_, i) => i % 2);
const trained = await engine.step({ images: Float32Array.from(labels), labels, labelShape: [2, 16, 16] }, { lr: 1e-3 });
await engine.dispose();
const model = createLeViTUNet({ variant: '128s', numClasses: 9 });
const y = model.predict(tf.zeros([1, 224, 224, 1]));
const arr = parseNpy(encodeNpy({ data: new Float32Array([1, 2, 3]), shape: [3] }));
const st = readWeights(writeSafetensors(new Map([['w', { dtype: 'float32', shape: [2], data: new Float32Array([4, 5]) }]])));
console.log(JSON.stringify({ backend: info.backend, threads: info.threads, threadsFallback: info.threadsFallback ?? null, params: describeLeViTUNet(model).trainableParams, out: y.shape,
  npy: Array.from(arr.data), weights: Array.from(st.tensors.get('w').data), conv: typeof LeViTConv2dBN, decoder: typeof UNetDecoder, metrics: Object.keys(metrics).length, trainedLoss: trained.loss, trainEngine: engine.name }));
`,
    );
    const out = JSON.parse(run(process.execPath, ['check.mjs'], project).trim().split('\n').pop() as string);
    // The threaded wasm build starts from the shipped worker file (no fallback) with all cores, at most 8.
    expect(out).toMatchObject({ backend: 'wasm', threadsFallback: null, threads: Math.min(availableParallelism(), 8), params: 15_904_715, out: [1, 224, 224, 9], npy: [1, 2, 3], weights: [4, 5], conv: 'function', decoder: 'function' });
    expect(out.metrics).toBeGreaterThan(3);
    expect(out.trainEngine).toBe('onnxruntime');
    expect(out.trainedLoss).toBeGreaterThan(0);
    expect(Number.isFinite(out.trainedLoss)).toBe(true);
    const cli = run(join(project, 'node_modules', '.bin', 'levit-unet'), ['info', '--variant', '192', '--num-classes', '9', '--json'], project);
    expect(JSON.parse(cli).trainableParams).toBe(19_904_670);
  });
});
