import { spawn } from 'node:child_process';

export interface JsonChildRun {
  /** The child's last stdout line, parsed as JSON. */
  result: Record<string, unknown>;
  code: number | null;
  /** `Date.now()` when the child exited (to measure how long it lingered after its last line). */
  exitedAtMs: number;
  /** Wall seconds from spawn to exit. */
  seconds: number;
}

/**
 * Runs a TypeScript fixture in its own Node process (`node --import tsx script ...args`), so that what it
 * loads (a second tfjs backend, a GPU driver, a thread pool) stays out of the vitest worker. Resolves with
 * its last stdout line as JSON; rejects with its output when it prints none or outlives `timeoutMs`.
 */
export function runJsonChild(script: string, options: { args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<JsonChildRun> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...(options.args ?? [])], {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not exit within ${timeoutMs / 1000} s; stdout: ${out} stderr: ${err.slice(-4000)}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const exitedAtMs = Date.now();
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve({ result: JSON.parse(line) as Record<string, unknown>, code, exitedAtMs, seconds: (performance.now() - started) / 1000 });
      } catch {
        reject(new Error(`${script} printed no JSON line (code ${code}); stdout: ${out} stderr: ${err.slice(-4000)}`));
      }
    });
  });
}
