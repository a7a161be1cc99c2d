import { link, mkdir, open, readdir, readFile, rename, rmdir, unlink } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * One writer per run folder: `RUN/train.lock` names the process that trains or resumes RUN. It is a
 * small O_EXCL file rather than proper-lockfile because the refusal must name the owner (pid, host,
 * start time) and a lock left by a killed process must be recognised at once by its dead pid;
 * proper-lockfile records no owner and calls a lock stale only after its mtime heartbeat stops.
 */
export const RUN_LOCK_FILE = 'train.lock';

export interface RunLockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export interface RunLock {
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<RunLockOwner | null> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as Partial<RunLockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as RunLockOwner) : null;
  } catch {
    return null;
  }
}

/**
 * Takes `runDir`'s lock (creating the folder if needed) or throws one line naming the process that holds
 * it. A lock whose process is gone (same host, dead pid) is taken over and `onNote` told so.
 */
export async function lockRun(runDir: string, onNote: (note: string) => void = (note) => process.emitWarning(note)): Promise<RunLock> {
  const created = (await mkdir(runDir, { recursive: true })) !== undefined;
  const path = join(runDir, RUN_LOCK_FILE);
  const owner: RunLockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  // Written whole under a private name and linked into place: link fails with EEXIST if a lock exists,
  // and a reader never sees a half-written lock.
  const mine = join(runDir, `${RUN_LOCK_FILE}.${process.pid}.${randomUUID().slice(0, 8)}`);
  const file = await open(mine, 'wx');
  await file.writeFile(`${JSON.stringify(owner)}\n`);
  await file.close();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(mine, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw error;
      }
      const held = await readOwner(path);
      if (held && (held.host !== owner.host || isAlive(held.pid))) {
        throw new Error(
          `${runDir} is being written by process ${held.pid} on ${held.host} (started ${held.startedAt}): one writer per run folder; ` +
            `wait for it or stop it${held.host === owner.host ? '' : ` (if it is gone, delete ${path})`}`,
        );
      }
      // Dead owner (or an unreadable lock): move it aside; of several processes taking over, one rename wins.
      const aside = `${path}.stale.${process.pid}`;
      try {
        await rename(path, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        continue;
      }
      const moved = await readOwner(aside);
      // Another process took the lock over between our read and our rename: give its lock back and retry.
      if (moved && held && (moved.pid !== held.pid || moved.startedAt !== held.startedAt)) await link(aside, path).catch(() => undefined);
      await unlink(aside);
      if (moved && held && (moved.pid !== held.pid || moved.startedAt !== held.startedAt)) continue;
      onNote(held ? `${runDir}: took over the lock of process ${held.pid} (started ${held.startedAt}), which is no longer running` : `${runDir}: replaced an unreadable ${RUN_LOCK_FILE}`);
    }
  } finally {
    await unlink(mine).catch(() => undefined);
  }
  return {
    release: async () => {
      const held = await readOwner(path);
      if (held?.pid === owner.pid && held.startedAt === owner.startedAt) await unlink(path).catch(() => undefined);
      // A folder made for a run that failed before writing anything is not left behind.
      if (created && (await readdir(runDir).catch(() => ['?'])).length === 0) await rmdir(runDir).catch(() => undefined);
    },
  };
}
