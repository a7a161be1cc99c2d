import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalPath, isPathInside, isSamePath, resolveInside, resolveInsideSync } from '../src/index.js';

const base = mkdtempSync(join(tmpdir(), 'levit-resolve-inside-'));
const root = join(base, 'model');
mkdirSync(join(root, 'shards'), { recursive: true });
writeFileSync(join(base, 'secret.txt'), 'secret');
writeFileSync(join(root, 'weights.bin'), 'w');
symlinkSync(join(base, 'secret.txt'), join(root, 'escape.bin'));
symlinkSync(join(root, 'weights.bin'), join(root, 'shards', 'inside.bin'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveInside', () => {
  it('resolves plain relative paths, including missing ones and symlinks that stay inside', async () => {
    expect(await resolveInside(root, 'weights.bin', 'weights file')).toBe(join(root, 'weights.bin'));
    expect(await resolveInside(root, './shards/inside.bin', 'weights file')).toBe(join(root, 'shards', 'inside.bin'));
    expect(resolveInsideSync(root, 'not-yet.bin', 'weights file')).toBe(join(root, 'not-yet.bin'));
  });

  it.each([
    ['../secret.txt', 'contains ".."'],
    ['shards/../../secret.txt', 'contains ".."'],
    ['..\\secret.txt', 'contains ".."'],
    [join(base, 'secret.txt'), 'is absolute'],
    ['C:\\Windows\\win.ini', 'is absolute'],
    ['', 'is not a file name'],
  ])('refuses %j (%s) with one line', async (path, why) => {
    const error = await resolveInside(root, path, 'weightsManifest path').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`weightsManifest path ${JSON.stringify(path)} ${why}`);
    expect((error as Error).message).not.toContain('\n');
    expect(() => resolveInsideSync(root, path, 'list entry')).toThrow(why);
  });

  it('refuses a symbolic link whose target lies outside the folder', async () => {
    await expect(resolveInside(root, 'escape.bin', 'weights file')).rejects.toThrow('is a symbolic link leading outside');
    expect(() => resolveInsideSync(root, 'escape.bin', 'weights file')).toThrow('is a symbolic link leading outside');
  });
});

describe('isPathInside', () => {
  it('treats whole ".." segments as leaving, names starting with ".." as inside', () => {
    expect(isPathInside('/a/b', '/a/b')).toBe(true);
    expect(isPathInside('/a/b', '/a/b/c')).toBe(true);
    expect(isPathInside('/a/b', '/a/b/..c')).toBe(true);
    expect(isPathInside('/a/b', '/a/bc')).toBe(false);
    expect(isPathInside('/a/b', '/a')).toBe(false);
  });
});

describe('isSamePath / canonicalPath', () => {
  it('sees one file through a symlinked folder and a new file under a symlinked parent', () => {
    const link = join(base, 'model-link');
    symlinkSync(root, link);
    expect(isSamePath(join(link, 'weights.bin'), join(root, 'weights.bin'))).toBe(true);
    expect(isSamePath(join(link, 'new', 'x.bin'), join(root, 'new', 'x.bin'))).toBe(true);
    expect(canonicalPath(join(link, 'shards', '..', 'weights.bin'))).toBe(canonicalPath(join(root, 'weights.bin')));
    expect(isSamePath(join(root, 'weights.bin'), join(root, 'other.bin'))).toBe(false);
  });
});
