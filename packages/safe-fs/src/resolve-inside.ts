import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve, win32 } from 'node:path';
import { isPathInside } from './is-path-inside.js';

/** The lexical checks: a relative path without `..` segments, as a path under `root`. */
function lexical(root: string, relativePath: unknown, what: string): string {
  const refuse = (why: string): never => {
    throw new Error(`${what} ${JSON.stringify(relativePath)} ${why}: expected a path relative to ${root} that stays inside it`);
  };
  if (typeof relativePath !== 'string' || relativePath.length === 0) return refuse('is not a file name');
  if (relativePath.includes('\0')) return refuse('contains a NUL byte');
  if (isAbsolute(relativePath) || win32.isAbsolute(relativePath)) return refuse('is absolute');
  if (relativePath.split(/[\\/]/).includes('..')) return refuse('contains ".."');
  const resolved = resolve(root, relativePath);
  if (!isPathInside(resolve(root), resolved)) return refuse('leaves the folder');
  return resolved;
}

function symlinkEscape(root: string, relativePath: string, what: string): Error {
  return new Error(`${what} ${JSON.stringify(relativePath)} is a symbolic link leading outside ${root}: expected a path that stays inside it`);
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Resolves a path read from a file (a manifest entry, a dataset list line) against the folder it must
 * stay in: refuses absolute paths, `..` segments and symbolic links whose target lies outside `root`,
 * with one line naming `what`. A path that does not exist yet passes (reading it fails clearly later).
 */
export async function resolveInside(root: string, relativePath: string, what: string): Promise<string> {
  const resolved = lexical(root, relativePath, what);
  let real: string;
  try {
    real = await realpath(resolved);
  } catch (error) {
    if (isMissing(error)) return resolved;
    throw error;
  }
  if (!isPathInside(await realpath(root), real)) throw symlinkEscape(root, relativePath, what);
  return resolved;
}

/** `resolveInside` for synchronous callers. */
export function resolveInsideSync(root: string, relativePath: string, what: string): string {
  const resolved = lexical(root, relativePath, what);
  let real: string;
  try {
    real = realpathSync(resolved);
  } catch (error) {
    if (isMissing(error)) return resolved;
    throw error;
  }
  if (!isPathInside(realpathSync(root), real)) throw symlinkEscape(root, relativePath, what);
  return resolved;
}
