import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive, parseTemporaryName, type TemporaryName } from './temporary-names.js';

/** What `recoverDir` did about an interrupted `replaceDir`. */
export interface Recovery {
  /** An interrupted replace of `path` was finished (its new folder moved in place). */
  finished: boolean;
  /** An interrupted replace's previous folder was moved back because the new one was missing. */
  rolledBack: boolean;
  /** Temporaries of dead processes that were removed. */
  removed: string[];
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Finishes or undoes what a killed process left of a write to `path` (a file or folder), using only
 * the siblings named by `temporarySibling`:
 * - a journal (`replace`) says the new folder (`tmp`) was complete: move it in place (moving the old
 *   folder aside first if it is still there), then remove the old folder and the journal;
 * - without a journal the write never got that far: remove its `tmp` (and any `old`);
 * - an earlier version's `<tmp>.old` with nothing at `path` is moved back (it had no journal).
 * Entries of living processes (including this one) are left alone. Every step is idempotent, so a kill
 * during recovery is recovered by the next call.
 */
export function recoverDirSync(path: string): Recovery {
  const parent = dirname(path);
  const name = basename(path);
  const recovery: Recovery = { finished: false, rolledBack: false, removed: [] };
  const groups = new Map<string, Map<string, TemporaryName & { path: string }>>();
  for (const entry of entries(parent)) {
    const parsed = parseTemporaryName(entry, name);
    if (!parsed || isProcessAlive(parsed.pid)) continue;
    const key = `${parsed.pid}-${parsed.tag}`;
    const group = groups.get(key) ?? new Map<string, TemporaryName & { path: string }>();
    group.set(parsed.kind, { ...parsed, path: join(parent, entry) });
    groups.set(key, group);
  }
  const remove = (p: string): void => {
    rmSync(p, { recursive: true, force: true });
    recovery.removed.push(p);
  };
  for (const group of groups.values()) {
    const tmp = group.get('tmp');
    const old = group.get('old');
    const journal = group.get('replace');
    if (journal) {
      if (tmp) {
        if (existsSync(path) && !old) {
          const moved = join(parent, `.${name}.old-${journal.pid}-${journal.tag}`);
          renameSync(path, moved);
          group.set('old', { ...journal, kind: 'old', path: moved });
        }
        if (!existsSync(path)) {
          renameSync(tmp.path, path);
          recovery.finished = true;
        } else {
          // Something else was written at `path` after the crash: it is newer than this replace.
          remove(tmp.path);
        }
      }
      const moved = group.get('old');
      rmSync(journal.path, { force: true });
      if (moved) remove(moved.path);
    } else if (old?.legacyOld && !existsSync(path)) {
      renameSync(old.path, path);
      recovery.rolledBack = true;
      if (tmp) remove(tmp.path);
    } else {
      if (tmp) remove(tmp.path);
      if (old) remove(old.path);
    }
  }
  return recovery;
}

/** `recoverDirSync` as a promise (the work is a few renames and removals). */
export async function recoverDir(path: string): Promise<Recovery> {
  return recoverDirSync(path);
}
