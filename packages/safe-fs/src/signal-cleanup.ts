import { rmSync } from 'node:fs';

// Temporaries this process is writing now. A signal or process.exit() removes them synchronously, so
// that Ctrl-C never leaves 60 MB hidden folders behind (kill -9 cannot be caught: `recoverDir` cleans up).
const temporaries = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function removeAll(): void {
  for (const path of temporaries) rmSync(path, { recursive: true, force: true });
  temporaries.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener (e.g. training's "Ctrl-C saves") keeps the process alive and owns the decision:
  // its writes finish or fail on their own, and `exit` still cleans up. Alone, act as the default
  // handler would: clean up, then die of the same signal.
  if (process.listenerCount(signal) > 1) return;
  removeAll();
  uninstall();
  process.kill(process.pid, signal);
}

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('exit', removeAll);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const signal of SIGNALS) process.off(signal, onSignal);
  process.off('exit', removeAll);
}

/**
 * Registers a temporary file or folder of this process for removal on SIGINT/SIGTERM/SIGHUP or exit;
 * returns the function that unregisters it (call it once the temporary was renamed or removed). The
 * handlers are installed only while something is registered, so an idle process keeps Node's defaults.
 */
export function trackTemporary(path: string): () => void {
  temporaries.add(path);
  install();
  return () => {
    temporaries.delete(path);
    if (temporaries.size === 0) uninstall();
  };
}

/** The temporaries registered now (for tests). */
export function trackedTemporaries(): string[] {
  return [...temporaries];
}
