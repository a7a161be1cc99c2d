import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverDir, type CrashPoint } from '../src/index.js';

// Real processes are killed (kill -9, SIGINT, SIGTERM) while they write with the built package.
const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const childScript = fileURLToPath(new URL('./kill-child.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'levit-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build @levit-unet/safe-fs first (pnpm --filter @levit-unet/safe-fs build)`);
});

interface Child {
  /** Resolves when stderr contains `text`. */
  waitFor(text: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

function startChild(args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [childScript, ...args], {
    env: { ...process.env, SAFE_FS_ENTRY: entry, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of waiters) if (stderr.includes(w.text)) w.resolve();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stderr.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exited.then(() => (stderr.includes(text) ? resolve() : reject(new Error(`child exited before "${text}": ${stderr}`))));
      }),
    exited,
    kill: (signal) => child.kill(signal),
  };
}

async function runToEnd(args: string[], env: Record<string, string> = {}): Promise<void> {
  const result = await startChild(args, env).exited;
  expect(result, result.stderr).toMatchObject({ code: 0 });
}

/** The version a model folder holds, after checking it is whole (both files, same version, full size). */
function versionOf(dir: string): string {
  const version = (JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { version: string }).version;
  expect(readFileSync(join(dir, 'weights.bin'), 'utf8')).toBe(`${version}:${'x'.repeat(200_000)}`);
  return version;
}

const temporaries = (path: string): string[] => readdirSync(dirname(path)).filter((n) => n.startsWith(`.${basename(path)}.`));

describe('kill -9 at each point of a folder replace', () => {
  // Before the journal the old folder wins; from the journal on, the new one. Only between the two
  // renames ('old-moved') is nothing at the path, and the journal brings the new folder back.
  const cases: [CrashPoint, string][] = [
    ['dir-filled', 'v1'],
    ['journal-written', 'v2'],
    ['old-moved', 'v2'],
    ['new-moved', 'v2'],
    ['journal-removed', 'v2'],
  ];
  it.each(cases)('killed at %s: recovery leaves %s and no temporaries', async (point, expected) => {
    const target = join(root, `model-${point}`);
    await runToEnd(['dir', target, 'v1']);
    const child = startChild(['dir', target, 'v2'], { LEVIT_UNET_SAFE_FS_PAUSE_AT: point });
    await child.waitFor(`paused at ${point}`);
    child.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    if (point === 'old-moved') expect(existsSync(target)).toBe(false);
    else expect(['v1', 'v2']).toContain(versionOf(target));
    expect(temporaries(target).length).toBeGreaterThan(0);

    await recoverDir(target);
    expect(versionOf(target)).toBe(expected);
    expect(temporaries(target)).toEqual([]);
  });

  it('the next run recovers on its own and then writes', async () => {
    const target = join(root, 'model-next-run');
    await runToEnd(['dir', target, 'v1']);
    const child = startChild(['dir', target, 'v2'], { LEVIT_UNET_SAFE_FS_PAUSE_AT: 'old-moved' });
    await child.waitFor('paused at old-moved');
    child.kill('SIGKILL');
    await child.exited;
    await runToEnd(['dir', target, 'v3']);
    expect(versionOf(target)).toBe('v3');
    expect(temporaries(target)).toEqual([]);
  });

  it('a writer killed at random moments in a loop always leaves a whole folder after recovery', async () => {
    const target = join(root, 'model-loop');
    await runToEnd(['dir', target, '0']);
    let last = 0;
    for (let round = 0; round < 6; round++) {
      const child = startChild(['loop', target, String(last + 1)]);
      await new Promise((resolve) => setTimeout(resolve, 150 + 70 * round));
      child.kill('SIGKILL');
      await child.exited;
      await recoverDir(target);
      const version = Number(versionOf(target));
      expect(version).toBeGreaterThanOrEqual(last);
      last = version;
      expect(temporaries(target)).toEqual([]);
    }
  });
});

describe('kill -9 of a file write', () => {
  it('leaves the old file; the next write into the folder removes the temporary', async () => {
    const target = join(root, 'file.bin');
    await runToEnd(['file', target, 'v1']);
    const child = startChild(['file', target, 'v2'], { LEVIT_UNET_SAFE_FS_PAUSE_AT: 'file-written' });
    await child.waitFor('paused at file-written');
    child.kill('SIGKILL');
    await child.exited;
    expect(readFileSync(target, 'utf8').split(':')[0]).toBe('v1');
    expect(temporaries(target)).toHaveLength(1);
    await runToEnd(['file', join(root, 'other.bin'), 'v1']);
    expect(temporaries(target)).toEqual([]);
  });
});

describe('SIGINT and SIGTERM', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s during a folder write removes the temporaries and keeps the old folder', async (signal) => {
    const target = join(root, `model-${signal}`);
    await runToEnd(['dir', target, 'v1']);
    const child = startChild(['dir', target, 'v2'], { SLOW_FILL: '1' });
    await child.waitFor('filling');
    expect(temporaries(target)).toHaveLength(1);
    child.kill(signal);
    // The process still dies of the signal (the default behaviour), without any recovery run.
    expect((await child.exited).signal).toBe(signal);
    expect(temporaries(target)).toEqual([]);
    expect(versionOf(target)).toBe('v1');
  });

  it('SIGINT during a file write removes its temporary', async () => {
    const target = join(root, 'sigint-file.bin');
    const child = startChild(['file', target, 'v1'], { SLOW_FILL: '1' });
    await child.waitFor('filling');
    child.kill('SIGINT');
    expect((await child.exited).signal).toBe('SIGINT');
    expect(existsSync(target)).toBe(false);
    expect(temporaries(target)).toEqual([]);
  });
});
