import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { atomicWriteDir, atomicWriteFile } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'levit-safe-fs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('atomicWriteFile', () => {
  it('creates parent folders, replaces the old file and leaves no temporary behind', async () => {
    const path = join(root, 'a', 'b', 'x.txt');
    await atomicWriteFile(path, 'one');
    await atomicWriteFile(path, new TextEncoder().encode('two'));
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(join(root, 'a', 'b'))).toEqual(['x.txt']);
  });

  it('keeps the old file when the write fails', async () => {
    const path = join(root, 'keep.txt');
    writeFileSync(path, 'old');
    // A directory where the temporary sibling's parent should be a file makes the write fail.
    await expect(atomicWriteFile(join(path, 'child.txt'), 'new')).rejects.toThrow();
    expect(readFileSync(path, 'utf8')).toBe('old');
  });
});

describe('atomicWriteDir', () => {
  it('replaces a folder as a whole', async () => {
    const dir = join(root, 'model');
    await atomicWriteDir(dir, async (tmp) => writeFileSync(join(tmp, 'v1.txt'), '1'));
    await atomicWriteDir(dir, async (tmp) => writeFileSync(join(tmp, 'v2.txt'), '2'));
    expect(readdirSync(dir)).toEqual(['v2.txt']);
    expect(readdirSync(root).filter((n) => n.startsWith('.model'))).toEqual([]);
  });

  it('leaves the previous folder untouched when filling fails', async () => {
    const dir = join(root, 'stable');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'k');
    await expect(
      atomicWriteDir(dir, async (tmp) => {
        writeFileSync(join(tmp, 'partial.txt'), 'p');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readdirSync(dir)).toEqual(['keep.txt']);
    expect(existsSync(join(root, '.stable.tmp'))).toBe(false);
    expect(readdirSync(root).filter((n) => n.startsWith('.stable'))).toEqual([]);
  });
});
