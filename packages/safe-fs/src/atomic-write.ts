import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Writes a file atomically: the bytes go to a temporary sibling which is fsynced and then renamed over
 * `path`, so a crash or Ctrl-C leaves either the old file or the new one, never half of one.
 */
export async function atomicWriteFile(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = temporarySibling(path);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Writes a directory atomically: `fill` writes into a temporary sibling directory, which then replaces
 * `path` (the previous directory, if any, is moved aside and removed only after the rename succeeded).
 */
export async function atomicWriteDir(path: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = temporarySibling(path);
  const old = `${tmp}.old`;
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  let movedOld = false;
  try {
    await rename(path, old);
    movedOld = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      await rm(tmp, { recursive: true, force: true });
      throw error;
    }
  }
  try {
    await rename(tmp, path);
  } catch (error) {
    if (movedOld) await rename(old, path);
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  if (movedOld) await rm(old, { recursive: true, force: true });
}
