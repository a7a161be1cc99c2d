import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { recoverDirSync } from './recover-dir.js';
import { isProcessAlive } from './temporary-names.js';

const TEMPORARY = /^\.(.+)\.(?:tmp|old|replace)-(\d+)-[0-9a-f]+(?:\.old)?$/;

// Folders this process already swept: writing thousands of files into one folder reads it once.
const swept = new Set<string>();

/**
 * Recovers every file or folder in `dir` that a killed process was writing (see `recoverDirSync`):
 * interrupted replaces are finished, other temporaries of dead processes removed. Runs once per folder
 * per process; returns the names it recovered.
 */
export function removeStaleTemporaries(dir: string, options: { again?: boolean } = {}): string[] {
  if (swept.has(dir) && !options.again) return [];
  swept.add(dir);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const names = new Set<string>();
  for (const entry of entries) {
    const match = TEMPORARY.exec(entry);
    if (match && !isProcessAlive(Number(match[2]))) names.add(match[1]!);
  }
  for (const name of names) recoverDirSync(join(dir, name));
  return [...names];
}
