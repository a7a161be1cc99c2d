import { writeSync } from 'node:fs';

/** The points of a write where tests can stop a process (see `LEVIT_UNET_SAFE_FS_PAUSE_AT`). */
export type CrashPoint =
  | 'file-written'
  | 'dir-filled'
  | 'journal-written'
  | 'old-moved'
  | 'new-moved'
  | 'journal-removed';

const PAUSE_ENV = 'LEVIT_UNET_SAFE_FS_PAUSE_AT';

/**
 * Test hook for kill tests: when the environment variable `LEVIT_UNET_SAFE_FS_PAUSE_AT` names this
 * point, prints `paused at <point>` on stderr and blocks the thread (synchronously, so that nothing
 * else of the write runs) until the test kills the process. Costs one environment lookup otherwise.
 */
export function crashPoint(point: CrashPoint): void {
  if (process.env[PAUSE_ENV] !== point) return;
  writeSync(2, `paused at ${point}\n`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0, 60_000);
}
