/**
 * One writer per run folder: two `train --resume RUN` at once used to both run to the end (log.jsonl held
 * iterations twice), and `--force` on a live run interleaved two runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { resume, train, type TrainOptions } from '../src/node/index.js';
import { RUN_LOCK_FILE } from '../src/node/run-lock.js';
import { syntheticSynapseRuns } from './synthetic-run-data.js';
import { tinyUNet } from './tiny-models.js';

await useTfBackend(registerWasmTrainingKernels);
const fixture = syntheticSynapseRuns('levit-run-lock-');

const options = (runDir: string): TrainOptions => ({
  runDir,
  model: () => tinyUNet(32, 9),
  data: fixture.data,
  numClasses: 9,
  optimizer: { name: 'sgd' },
  lr: 0.01,
  batchSize: 4,
  epochs: 2,
});

describe('the run lock', () => {
  it('refuses a second train or resume of a live run with one line naming the process, and is gone after the run', async () => {
    const runDir = join(fixture.tmp, 'A');
    const first = train({ ...options(runDir), epochs: 3 });
    // The second call starts while the first is in its first epoch.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const message = new RegExp(`^${runDir.replace(/[/\\\\.]/g, '\\$&')} is being written by process ${process.pid} on ${hostname()} \\(started [0-9T:.-]+Z\\): one writer per run folder; wait for it or stop it$`);
    await expect(train({ ...options(runDir), overwrite: true })).rejects.toThrow(message);
    const done = await first;
    expect(done.status).toBe('completed');
    done.model.dispose();
    expect(existsSync(join(runDir, RUN_LOCK_FILE))).toBe(false);
    // After the run, resume takes the lock again (and returns at once: the run is complete).
    const again = await resume(runDir);
    again.model.dispose();
    expect(existsSync(join(runDir, RUN_LOCK_FILE))).toBe(false);
    // Two resumes at once: one is refused.
    const state = join(runDir, 'last', 'training-state.json');
    await writeFile(state, JSON.stringify({ ...JSON.parse(await readFile(state, 'utf8')), completed: false }));
    const results = await Promise.allSettled([resume(runDir), resume(runDir)]);
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason.message))).toEqual([expect.stringMatching(message)]);
    for (const r of results) if (r.status === 'fulfilled') r.value.model.dispose();
  }, 120_000);

  it('a lock held by another live process refuses --force before last/ is touched', async () => {
    const runDir = join(fixture.tmp, 'B');
    const done = await train(options(runDir));
    done.model.dispose();
    const before = await readFile(join(runDir, 'last', 'training-state.json'), 'utf8');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await writeFile(join(runDir, RUN_LOCK_FILE), JSON.stringify({ pid: holder.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
      await expect(train({ ...options(runDir), overwrite: true })).rejects.toThrow(`is being written by process ${holder.pid} on ${hostname()} (started 2026-01-01T00:00:00.000Z)`);
      await expect(resume(runDir)).rejects.toThrow(`process ${holder.pid}`);
      expect(await readFile(join(runDir, 'last', 'training-state.json'), 'utf8')).toBe(before);
    } finally {
      holder.kill();
    }
  }, 120_000);

  it('a lock left by a killed process is taken over with a note', async () => {
    const runDir = join(fixture.tmp, 'C');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(runDir);
    await writeFile(join(runDir, RUN_LOCK_FILE), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const notes: string[] = [];
    const done = await train({ ...options(runDir), onNote: (n) => notes.push(n) });
    done.model.dispose();
    expect(done.status).toBe('completed');
    expect(notes).toEqual([`${runDir}: took over the lock of process ${dead.stdout} (started 2026-01-01T00:00:00.000Z), which is no longer running`]);
    expect(existsSync(join(runDir, RUN_LOCK_FILE))).toBe(false);
  }, 120_000);
});
