import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `../shared/` beside the repository root, or `LEVIT_SHARED_DIR`. */
export function sharedDir(): string {
  return process.env.LEVIT_SHARED_DIR ?? resolve(repoRoot, '..', 'shared');
}

/**
 * Absolute path of a file under `../shared/`, or `null` when it is absent (the caller skips its test).
 * Under `CI=true` an absent file is an error: CI must run every reference test.
 */
export function sharedPath(relative: string): string | null {
  const path = join(sharedDir(), relative);
  if (existsSync(path)) return path;
  const message = `shared fixture ${path} is absent`;
  if (process.env.CI === 'true') throw new Error(`${message}; under CI=true the shared fixtures are required`);
  console.warn(`[skip] ${message}: tests that need it are skipped`);
  return null;
}
