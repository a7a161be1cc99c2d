import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * What a sibling of `path` is during a write: `tmp` (new contents being written), `old` (the previous
 * folder moved aside during a replace) or `replace` (the journal: its existence means `tmp` is complete
 * and the swap has begun). All three carry the writer's pid and a random tag so that a later run can
 * tell whose they are and whether that process is still alive.
 */
export type TemporaryKind = 'tmp' | 'old' | 'replace';

export interface TemporaryName {
  kind: TemporaryKind;
  pid: number;
  tag: string;
  /** The entry was left by an earlier version that named the moved-aside folder `<tmp>.old`. */
  legacyOld: boolean;
}

/** The sibling of `path` for one write (`.<name>.<kind>-<pid>-<tag>`). */
export function temporarySibling(path: string, kind: TemporaryKind, pid: number, tag: string): string {
  return join(dirname(path), `.${basename(path)}.${kind}-${pid}-${tag}`);
}

export function newTag(): string {
  return randomBytes(4).toString('hex');
}

const SUFFIX = /^(tmp|old|replace)-(\d+)-([0-9a-f]+)(\.old)?$/;

/** Parses a directory entry as a temporary of the file or folder named `name`, or returns null. */
export function parseTemporaryName(entry: string, name: string): TemporaryName | null {
  const prefix = `.${name}.`;
  if (!entry.startsWith(prefix)) return null;
  const match = SUFFIX.exec(entry.slice(prefix.length));
  if (!match) return null;
  const legacyOld = match[4] !== undefined;
  if (legacyOld && match[1] !== 'tmp') return null;
  return { kind: legacyOld ? 'old' : (match[1] as TemporaryKind), pid: Number(match[2]), tag: match[3]!, legacyOld };
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
