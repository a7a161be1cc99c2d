/** `train --resume RUN` / `train --force --out RUN` while another process writes RUN: refused at once, one line naming it. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticSynapse } from '@levit-unet/datasets/node';
import { runCliCaptured as cli } from './run-cli.js';

const bin = fileURLToPath(new URL('../bin/levit-unet.js', import.meta.url));
let dir: string;
let run: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'levit-unet-run-lock-'));
  await writeSyntheticSynapse(join(dir, 'synapse'), { trainCases: 1, testCases: 0, shape: [2, 64, 64], seed: 3 });
  run = join(dir, 'run');
  const first = await cli('train', '--data', join(dir, 'synapse'), '--dataset', 'synapse', '--out', run, '--img-size', '32', '--batch-size', '2', '--max-steps', '1', '--backend', 'wasm', '--engine', 'tfjs', '--workers', '0');
  expect(first.code, first.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a run folder with a live writer', () => {
  it('refuses --resume and --force with one line naming the process, leaving last/ as it was', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
    try {
      await writeFile(join(run, 'train.lock'), JSON.stringify({ pid: holder.pid, host: hostname(), startedAt: '2026-01-02T03:04:05.000Z' }));
      const before = await readFile(join(run, 'last', 'training-state.json'), 'utf8');
      const state = join(run, 'last', 'training-state.json');
      await writeFile(state, JSON.stringify({ ...JSON.parse(before), completed: false }));
      const expected = `levit-unet: ${run} is being written by process ${holder.pid} on ${hostname()} (started 2026-01-02T03:04:05.000Z): one writer per run folder; wait for it or stop it`;
      for (const args of [
        ['train', '--resume', run],
        ['train', '--force', '--out', run, '--data', join(dir, 'synapse'), '--dataset', 'synapse', '--img-size', '32', '--max-steps', '1'],
      ]) {
        const started = Date.now();
        const child = spawnSync(process.execPath, [bin, ...args, '--backend', 'wasm', '--engine', 'tfjs'], { encoding: 'utf8', timeout: 60_000 });
        expect(child.status, child.stderr).toBe(1);
        expect(child.stderr.trim()).toBe(expected);
        expect(Date.now() - started).toBeLessThan(30_000);
      }
      expect(JSON.parse(await readFile(state, 'utf8'))).toMatchObject({ iteration: 1 });
    } finally {
      holder.kill();
    }
  }, 180_000);
});
