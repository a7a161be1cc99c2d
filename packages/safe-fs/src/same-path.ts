import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The canonical path of `path`: symbolic links (of the path or, for a path that does not exist yet, of
 * its parent folders) resolved, so that two spellings of one file compare equal.
 */
export function canonicalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(canonicalPath(parent), basename(absolute));
  }
}

/** Whether two paths name the same file or folder (after resolving symbolic links). */
export function isSamePath(a: string, b: string): boolean {
  return canonicalPath(a) === canonicalPath(b);
}
