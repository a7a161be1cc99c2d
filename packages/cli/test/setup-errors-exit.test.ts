/**
 * A setup error with slice-decoding workers on (the default --workers) used to print its message and then
 * never exit: the worker threads kept the process alive. Each case spawns the built CLI with a time limit
 * and asserts exit 1 within seconds, with the one-line message.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticSynapse } from '@levit-unet/datasets/node';
import { createLeViTUNet } from '@levit-unet/levit-unet';
import { initBackend, saveModelDir } from '@levit-unet/levit-unet/node';
import { runCliCaptured as cli } from './run-cli.js';

const bin = fileURLToPath(new URL('../bin/levit-unet.js', import.meta.url));
const LIMIT_MS = 60_000;

let dir: string;
let data: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'levit-unet-setup-exit-'));
  data = join(dir, 'synapse');
  await writeSyntheticSynapse(data, { trainCases: 1, testCases: 0, shape: [2, 64, 64], seed: 3 });
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI in a child process; a process still alive after LIMIT_MS is killed and reported as such. */
function spawnCli(...args: string[]): Promise<{ code: number | null; stderr: string; ms: number; killed: boolean }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    let killed = false;
    const timer = setTimeout(() => ((killed = true), child.kill('SIGKILL')), LIMIT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started, killed });
    });
  });
}

const train = (out: string, ...args: string[]) =>
  spawnCli('train', '--data', data, '--dataset', 'synapse', '--out', join(dir, out), '--max-steps', '1', '--batch-size', '2', '--backend', 'wasm', '--engine', 'tfjs', '--workers', '2', ...args);

function expectPromptFailure(result: Awaited<ReturnType<typeof spawnCli>>, message: RegExp): void {
  expect(result.killed, `still running after ${LIMIT_MS / 1000} s; stderr: ${result.stderr}`).toBe(false);
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(message);
}

describe('a failing train setup with workers on exits promptly', () => {
  it('--img-size 48', async () => {
    expectPromptFailure(await train('r48', '--img-size', '48'), /imgSize must be a positive multiple of 32/);
  }, 2 * LIMIT_MS);

  it('an unreadable --init', async () => {
    const init = join(dir, 'broken.safetensors');
    await writeFile(init, 'not a checkpoint');
    expectPromptFailure(await train('rinit', '--img-size', '32', '--init', init), /broken\.safetensors/);
  }, 2 * LIMIT_MS);

  it('an --init model of the wrong size', async () => {
    await initBackend('wasm');
    const model = createLeViTUNet({ variant: '128s', numClasses: 9, imgSize: 64 });
    await saveModelDir(model, join(dir, 'model64'));
    model.dispose();
    expectPromptFailure(await train('rsize', '--img-size', '32', '--init', join(dir, 'model64')), /the model takes 64×64 images .* the run wants 32×32/);
  }, 2 * LIMIT_MS);

  it('--resume of a run whose optimizer state is broken', async () => {
    const run = join(dir, 'resumed');
    // Trained in-process (its 2 workers recorded in config.json for the resume), then marked unfinished.
    const first = await cli('train', '--data', data, '--dataset', 'synapse', '--out', run, '--img-size', '32', '--batch-size', '2', '--epochs', '2', '--backend', 'wasm', '--engine', 'tfjs', '--workers', '2', '--augment', 'none');
    expect(first.code, first.stderr).toBe(0);
    const state = join(run, 'last', 'training-state.json');
    await writeFile(state, JSON.stringify({ ...JSON.parse(await readFile(state, 'utf8')), completed: false }));
    await truncate(join(run, 'last', 'optimizer.safetensors'), 10);
    expectPromptFailure(await spawnCli('train', '--resume', run, '--backend', 'wasm', '--engine', 'tfjs'), /optimizer\.safetensors/);
  }, 4 * LIMIT_MS);
});
