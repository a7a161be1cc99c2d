import { isAbsolute, relative, resolve, sep } from 'node:path';

/** Whether `path` is `folder` itself or lies under it (lexically, after resolving both). */
export function isPathInside(folder: string, path: string): boolean {
  const rel = relative(resolve(folder), resolve(path));
  // `..foo` is a name inside the folder; only a whole `..` segment leaves it.
  return !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`);
}
