import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPackageFields } from './src/package-fields.js';
import { proxyEnv, startRegistryOnlyProxy, type RegistryOnlyProxy } from './src/registry-only-proxy.js';

/**
 * What a user gets from npm: every package is packed with `pnpm pack` (which rewrites `workspace:`
 * ranges to versions), each tarball is checked for what publishing needs (our fields, publint --strict,
 * attw --profile esm-only), the whole workspace is published as a dry run, and the tarballs are installed
 * with npm, scripts enabled, into a scratch project outside the workspace on a network where only the
 * npm registry is reachable (a local proxy that refuses every other host), and used from there.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'levit-unet-pack-'));
const tarballs = join(scratch, 'tarballs');
const project = join(scratch, 'project');
const pnpmEntry = process.env.npm_execpath && /pnpm/.test(process.env.npm_execpath) ? process.env.npm_execpath : null;
const bin = (name: string): string => join(dirname(fileURLToPath(import.meta.url)), 'node_modules', '.bin', name);
const runAsync = promisify(execFile);
/** Whether onnxruntime-node's install script downloads files here (its CUDA provider: Linux x64 only). */
const ortDownloads = process.platform === 'linux' && process.arch === 'x64';

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true', ...env }, maxBuffer: 64 << 20 });
}

/**
 * `run` without blocking the event loop, for commands whose network goes through the in-process proxy
 * (execFileSync would stall the proxy, and with it the command).
 */
async function runThroughProxy(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await runAsync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true', ...env }, maxBuffer: 64 << 20 });
  return stdout;
}

function pnpm(args: string[], cwd: string): string {
  return pnpmEntry ? run(process.execPath, [pnpmEntry, ...args], cwd) : run('npx', ['-y', 'pnpm@10.34.9', ...args], cwd);
}

/** The tarball's files, `package/` stripped, with the text of the ones the checks read. */
function unpack(tarball: string): { manifest: Record<string, unknown>; files: Map<string, string | null> } {
  const dir = join(scratch, 'unpacked', tarball.replace(/\.tgz$/, ''));
  mkdirSync(dir, { recursive: true });
  run('tar', ['-xzf', join(tarballs, tarball), '-C', dir], scratch);
  const files = new Map<string, string | null>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const name = relative(join(dir, 'package'), path);
        files.set(name, name === 'README.md' || name === 'package.json' ? readFileSync(path, 'utf8') : null);
      }
    }
  };
  walk(join(dir, 'package'));
  return { manifest: JSON.parse(files.get('package.json') ?? '{}') as Record<string, unknown>, files };
}

/** Runs `tasks` at most `limit` at a time (each a child process). */
async function limited<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

let files: string[] = [];
let proxy: RegistryOnlyProxy;

beforeAll(async () => {
  // Every public package of packages/ (pnpm skips private ones), in one pnpm process.
  pnpm(['-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs], root);
  files = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
  proxy = await startRegistryOnlyProxy(new URL(run('npm', ['config', 'get', 'registry'], root).trim()).hostname);
});

afterAll(async () => {
  await proxy?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('published packages', () => {
  it('every package under packages/ is packed', () => {
    const expected = readdirSync(join(root, 'packages')).filter((d) => {
      try {
        return !JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')).private;
      } catch {
        return false;
      }
    });
    expect(files.length).toBe(expected.length);
  });

  it('each tarball has the fields and files publishing needs (name … README), and passes publint --strict and attw --profile esm-only', async () => {
    const problems = files.flatMap((f) => checkPackageFields(unpack(f)));
    expect(problems).toEqual([]);
    const lint = await limited(
      files.flatMap((f) => [
        () => runAsync(bin('publint'), [join(tarballs, f), '--strict']).then(() => null, (e: { stdout: string }) => `publint ${f}:\n${e.stdout}`),
        // esm-only: the packages are ESM only, so CJS resolutions (node10, node16 from CJS) are out of scope.
        () => runAsync(bin('attw'), [join(tarballs, f), '--profile', 'esm-only', '--format', 'ascii']).then(() => null, (e: { stdout: string }) => `attw ${f}:\n${e.stdout}`),
      ]),
      availableParallelism(),
    );
    expect(lint.filter((x) => x !== null)).toEqual([]);
  });

  it('a publish dry run of the whole workspace succeeds', () => {
    const out = pnpm(['publish', '-r', '--dry-run', '--no-git-checks'], root);
    for (const f of files) expect(out).toContain(`${unpack(f).manifest.name}@`);
  });

  it('installs with scripts enabled where only the npm registry is reachable, and works', async () => {
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
    const network = proxyEnv(proxy.url);
    // Scripts on, as users install: onnxruntime-node's install script tries to download its CUDA provider
    // from outside the registry; that fails here, and npm drops the optional dependency instead of failing.
    const started = performance.now();
    await runThroughProxy('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', ...files.map((f) => join(tarballs, f))], project, network);
    console.log(`npm install of the ${files.length} tarballs (scripts enabled, registry-only network): ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(proxy.tunnelled.size).toBeGreaterThan(0); // npm did go through the proxy
    const installed = (name: string): boolean => {
      try {
        return statSync(join(project, 'node_modules', name, 'package.json')).isFile();
      } catch {
        return false;
      }
    };
    if (ortDownloads) {
      expect([...proxy.refused]).not.toHaveLength(0); // the simulation took effect: a non-registry host was refused
      expect(installed('onnxruntime-node')).toBe(false);
    }
    expect(installed('onnxruntime-web')).toBe(true);

    writeFileSync(
      join(project, 'check.mjs'),
      `
import * as tf from '@tensorflow/tfjs';
import { LeViTConv2dBN } from '@levit-unet/levit-blocks';
import { UNetDecoder } from '@levit-unet/unet-decoder';
import { createLeViTUNet, describeLeViTUNet } from '@levit-unet/levit-unet';
import { initBackend, saveModelDir } from '@levit-unet/levit-unet/node';
import { parseNpy, encodeNpy } from '@levit-unet/datasets';
import { writeSyntheticNifti } from '@levit-unet/datasets/node';
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
// A model directory and a scan for \`levit-unet predict\`.
await saveModelDir(createUNet({ encoder: new ConvEncoder({ channels: [8, 16] }), inputShape: [32, 32, 1], numClasses: 9, decoderChannels: [8] }), 'model');
await writeSyntheticNifti('scans', { cases: 1, shape: [3, 40, 32], seed: 1 });
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
    const cli = join(project, 'node_modules', '.bin', 'levit-unet');
    expect(JSON.parse(run(cli, ['info', '--variant', '192', '--num-classes', '9', '--json'], project)).trainableParams).toBe(19_904_670);

    /** `levit-unet predict` on the scan; its stderr (where the wasm fallback announces itself). */
    const predict = (engine: string, out: string): string => {
      const result = spawnSync(cli, ['predict', '--model', 'model', '--input', 'scans/images/img0001.nii.gz', '--out', out, '--engine', engine, '--threads', '1'], {
        cwd: project,
        encoding: 'utf8',
        env: { ...process.env, CI: 'true' },
      });
      expect(result.status, result.stderr).toBe(0);
      return result.stderr;
    };
    /** The share of voxels where two predicted label maps agree (engines differ in float rounding only). */
    const agreement = (a: string, b: string): number =>
      Number(
        run(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `import { readNifti } from '@levit-unet/datasets/node';
const [a, b] = await Promise.all([readNifti('${a}'), readNifti('${b}')]);
let same = 0; for (let i = 0; i < a.data.length; i++) same += a.data[i] === b.data[i] ? 1 : 0;
console.log(a.data.length === b.data.length && a.data.length > 0 ? same / a.data.length : 0);`,
          ],
          project,
        ).trim(),
      );
    // The CLI prints process warnings as one `levit-unet: warning:` line (the code LEVIT_ONNXRUNTIME_WASM is not shown).
    const wasmWarning = /onnxruntime-node is not installed.*onnxruntime-web's wasm build/;
    expect(predict('tfjs', 'tfjs.nii.gz')).not.toMatch(wasmWarning);
    if (ortDownloads) {
      // onnxruntime-node was dropped: the onnxruntime engine runs on onnxruntime-web's wasm build, and says so.
      const stderr = predict('onnxruntime', 'wasm.nii.gz');
      expect(stderr).toMatch(/onnxruntime-node is not installed.*onnxruntime-web's wasm build.*npm install onnxruntime-node@1\.30\.0 --onnxruntime-node-install=skip/);
      expect(stderr.match(new RegExp(wasmWarning, 'g'))).toHaveLength(1);
      expect(agreement('wasm.nii.gz', 'tfjs.nii.gz')).toBeGreaterThan(0.999);
    }
    // The documented way to the native runtime (README of @levit-unet/cli), on the same network.
    await runThroughProxy('npm', ['install', '--no-audit', '--no-fund', 'onnxruntime-node@1.30.0', '--onnxruntime-node-install=skip'], project, network);
    expect(installed('onnxruntime-node')).toBe(true);
    expect(predict('onnxruntime', 'native.nii.gz')).not.toMatch(wasmWarning);
    expect(agreement('native.nii.gz', 'tfjs.nii.gz')).toBeGreaterThan(0.999);
  });
});
