import { open, rename, rm, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crashPoint } from './crash-point.js';
import { removeStaleTemporaries } from './stale-temporaries.js';
import { replaceDir } from './replace-dir.js';
import { trackTemporary } from './signal-cleanup.js';
import { newTag, temporarySibling } from './temporary-names.js';

/**
 * Writes a file atomically: the bytes go to a temporary sibling which is fsynced and then renamed over
 * `path`, so a crash or Ctrl-C leaves either the old file or the new one, never half of one. Ctrl-C
 * removes the temporary; the first write into a folder removes temporaries that killed processes left.
 */
export async function atomicWriteFile(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  removeStaleTemporaries(dirname(path));
  const tmp = temporarySibling(path, 'tmp', process.pid, newTag());
  const untrack = trackTemporary(tmp);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    crashPoint('file-written');
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  } finally {
    untrack();
  }
}

/**
 * Replaces whatever folder is at `path` with the one `fill` writes (see `replaceDir`, whose kill-safety
 * it shares). It never refuses: use it only for folders the program owns (a run's `last/`); a path a
 * user typed goes through `replaceDir` with `isReplaceable`.
 */
export async function atomicWriteDir(path: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  await replaceDir(path, fill, { force: true });
}
