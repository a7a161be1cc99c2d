import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { atomicWriteDir, recoverDir, removeStaleTemporaries, replaceDir } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'levit-replace-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const isModelDir = (dir: string): boolean => existsSync(join(dir, 'model.json'));
const writeModel = (version: string) => async (tmp: string) => writeFileSync(join(tmp, 'model.json'), version);
const siblings = (name: string): string[] => readdirSync(root).filter((n) => n.startsWith(`.${name}.`));
/** A pid that certainly belongs to no process now: a child that already exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('replaceDir', () => {
  it('refuses a non-empty folder that is not replaceable, even with force, and leaves it untouched', async () => {
    const home = join(root, 'home');
    mkdirSync(home);
    writeFileSync(join(home, 'thesis.tex'), 'years of work');
    await expect(replaceDir(home, writeModel('1'), { force: true, isReplaceable: isModelDir, what: 'model directory' })).rejects.toThrow(
      `${home} is a non-empty folder that is not a model directory: refusing to replace it`,
    );
    expect(readdirSync(home)).toEqual(['thesis.tex']);
    expect(siblings('home')).toEqual([]);
  });

  it('writes into a missing or empty folder, and replaces a replaceable one only with force', async () => {
    const dir = join(root, 'model');
    mkdirSync(dir);
    await replaceDir(dir, writeModel('1'), { isReplaceable: isModelDir, what: 'model directory' });
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe('1');
    await expect(replaceDir(dir, writeModel('2'), { isReplaceable: isModelDir, what: 'model directory' })).rejects.toThrow(
      `${dir} already holds a model directory: pass --force to replace it`,
    );
    await replaceDir(dir, writeModel('2'), { force: true, isReplaceable: isModelDir });
    expect(readdirSync(dir)).toEqual(['model.json']);
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe('2');
    expect(siblings('model')).toEqual([]);
  });

  it('refuses a file at the path', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await expect(replaceDir(file, writeModel('1'), { force: true })).rejects.toThrow(`${file} is a file, not a folder`);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('keeps the previous folder and removes the temporary when fill fails', async () => {
    const dir = join(root, 'failing');
    await replaceDir(dir, writeModel('1'));
    await expect(
      atomicWriteDir(dir, async (tmp) => {
        writeFileSync(join(tmp, 'partial'), 'p');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readdirSync(dir)).toEqual(['model.json']);
    expect(siblings('failing')).toEqual([]);
  });
});

describe('recoverDir', () => {
  it('finishes a replace whose journal exists (new folder moved in, old folder and journal removed)', async () => {
    const dir = join(root, 'journaled');
    const pid = deadPid();
    // The state a kill -9 leaves between the two renames: old moved aside, new complete, journal present.
    mkdirSync(join(root, `.journaled.old-${pid}-ab12`));
    writeFileSync(join(root, `.journaled.old-${pid}-ab12`, 'model.json'), 'old');
    mkdirSync(join(root, `.journaled.tmp-${pid}-ab12`));
    writeFileSync(join(root, `.journaled.tmp-${pid}-ab12`, 'model.json'), 'new');
    writeFileSync(join(root, `.journaled.replace-${pid}-ab12`), '{}');
    const recovery = await recoverDir(dir);
    expect(recovery.finished).toBe(true);
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe('new');
    expect(siblings('journaled')).toEqual([]);
  });

  it('removes an unfinished fill (no journal) and keeps the folder; leaves living processes alone', async () => {
    const dir = join(root, 'unfinished');
    await replaceDir(dir, writeModel('old'));
    const pid = deadPid();
    mkdirSync(join(root, `.unfinished.tmp-${pid}-cd34`));
    writeFileSync(join(root, `.unfinished.tmp-${pid}-cd34`, 'half'), 'h');
    const living = `.unfinished.tmp-${process.pid}-ef56`;
    mkdirSync(join(root, living));
    await recoverDir(dir);
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe('old');
    expect(siblings('unfinished')).toEqual([living]);
    rmSync(join(root, living), { recursive: true });
  });

  it("moves back an earlier version's `<tmp>.old` when nothing is at the path (it wrote no journal)", async () => {
    const dir = join(root, 'legacy');
    const pid = deadPid();
    mkdirSync(join(root, `.legacy.tmp-${pid}-0a0b.old`));
    writeFileSync(join(root, `.legacy.tmp-${pid}-0a0b.old`, 'model.json'), 'old');
    mkdirSync(join(root, `.legacy.tmp-${pid}-0a0b`));
    const recovery = await recoverDir(dir);
    expect(recovery.rolledBack).toBe(true);
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe('old');
    expect(siblings('legacy')).toEqual([]);
  });

  it('removeStaleTemporaries sweeps the stale temporary files of a folder', () => {
    const pid = deadPid();
    const folder = join(root, 'files');
    mkdirSync(folder);
    writeFileSync(join(folder, `.x.npz.tmp-${pid}-1234`), 'half');
    writeFileSync(join(folder, 'x.npz'), 'whole');
    expect(removeStaleTemporaries(folder)).toEqual(['x.npz']);
    expect(readdirSync(folder)).toEqual(['x.npz']);
  });
});
