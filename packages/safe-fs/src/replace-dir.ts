import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crashPoint } from './crash-point.js';
import { recoverDirSync } from './recover-dir.js';
import { removeStaleTemporaries } from './stale-temporaries.js';
import { trackTemporary } from './signal-cleanup.js';
import { newTag, temporarySibling } from './temporary-names.js';

/** Options of `replaceDir`. */
export interface ReplaceDirOptions {
  /** Replace a non-empty folder that `isReplaceable` accepts (the command line's `--force`). */
  force?: boolean;
  /**
   * Whether a non-empty folder at the path is one this writer may replace (e.g. it holds a `model.json`).
   * A folder it rejects is never replaced, even with `force`. Without it, `force` replaces any folder.
   */
  isReplaceable?: (dir: string) => boolean | Promise<boolean>;
  /** What the folder holds, for error messages ("model directory", "dataset"). */
  what?: string;
}

function listing(path: string): string[] | null {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (!isDirectory) throw new Error(`${path} is a file, not a folder: refusing to replace it`);
  return readdirSync(path);
}

/** Throws unless `path` is missing, an empty folder, or a folder `options` allow replacing. */
export async function checkReplaceable(path: string, options: ReplaceDirOptions = {}): Promise<void> {
  const what = options.what ?? 'folder written by this program';
  const existing = listing(path);
  if (existing === null || existing.length === 0) return;
  if (options.isReplaceable && !(await options.isReplaceable(path))) {
    throw new Error(`${path} is a non-empty folder that is not a ${what}: refusing to replace it (choose a new or empty folder)`);
  }
  if (!options.force) throw new Error(`${path} already holds a ${what}: pass --force to replace it`);
}

/**
 * Writes a folder so that `path` always holds either the previous folder or the complete new one:
 * `fill` writes into a temporary sibling; then a journal is created, the old folder is moved aside, the
 * new one moved in, the journal removed and the old folder deleted. A process killed between those
 * renames leaves the journal, and the next `replaceDir`/`recoverDir` of `path` finishes the swap.
 * Before writing, an interrupted replace of `path` is recovered, and a non-empty folder is replaced
 * only as `options` allow. Ctrl-C (SIGINT/SIGTERM) removes the temporary folder.
 */
export async function replaceDir(path: string, fill: (tmpDir: string) => Promise<void>, options: ReplaceDirOptions = {}): Promise<void> {
  recoverDirSync(path);
  removeStaleTemporaries(dirname(path));
  await checkReplaceable(path, options);
  await mkdir(dirname(path), { recursive: true });
  const tag = newTag();
  const tmp = temporarySibling(path, 'tmp', process.pid, tag);
  const untrackTmp = trackTemporary(tmp);
  try {
    await mkdir(tmp);
    await fill(tmp);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    untrackTmp();
    throw error;
  }
  crashPoint('dir-filled');
  // The swap is synchronous: no signal handler or other callback can run between its renames, so only
  // kill -9 (or a power cut) can interrupt it, and the journal lets the next run finish it.
  const old = temporarySibling(path, 'old', process.pid, tag);
  const journal = temporarySibling(path, 'replace', process.pid, tag);
  const untrackOld = trackTemporary(old);
  untrackTmp();
  let movedOld = false;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(journal, `${JSON.stringify({ replacing: path, pid: process.pid, startedAt: new Date().toISOString() })}\n`);
    crashPoint('journal-written');
    try {
      renameSync(path, old);
      movedOld = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    crashPoint('old-moved');
    renameSync(tmp, path);
  } catch (error) {
    if (movedOld) renameSync(old, path);
    rmSync(tmp, { recursive: true, force: true });
    rmSync(journal, { force: true });
    untrackOld();
    throw error;
  }
  crashPoint('new-moved');
  rmSync(journal, { force: true });
  crashPoint('journal-removed');
  try {
    if (movedOld) await rm(old, { recursive: true, force: true });
  } finally {
    untrackOld();
  }
}
