import { Worker } from 'node:worker_threads';

interface Pending<R> {
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * A fixed set of worker threads running one script; tasks go to the least busy worker and answers are
 * matched by id. Messages are `{ id, ...payload }` both ways. A worker that dies rejects its tasks.
 * A worker holds the process open only while it has tasks: a pool its owner forgot to close (a setup
 * error between opening and using it) lets the process exit instead of keeping it alive for good.
 */
export class WorkerPool<Task, Result> {
  private readonly workers: Worker[];
  private readonly busy: number[];
  private readonly pending = new Map<number, Pending<Result> & { worker: number }>();
  private nextId = 0;

  constructor(script: URL, size: number, decode: (message: Record<string, unknown>) => Result) {
    this.workers = Array.from({ length: size }, (_, n) => {
      const worker = new Worker(script);
      worker.on('message', (message: Record<string, unknown> & { id: number }) => {
        const entry = this.pending.get(message.id);
        if (!entry) return;
        this.pending.delete(message.id);
        if (--this.busy[n]! === 0) worker.unref();
        try {
          entry.resolve(decode(message));
        } catch (error) {
          entry.reject(error);
        }
      });
      worker.on('error', (error) => this.failWorker(n, error));
      worker.on('exit', (code) => {
        if (code !== 0) this.failWorker(n, new Error(`loader worker exited with code ${code}`));
      });
      worker.unref(); // after the listeners: adding one refs the worker's port again
      return worker;
    });
    this.busy = new Array<number>(size).fill(0);
  }

  run(task: Task): Promise<Result> {
    let n = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.busy[i]! < this.busy[n]!) n = i;
    const id = this.nextId++;
    if (this.busy[n]!++ === 0) this.workers[n]!.ref();
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: n });
      this.workers[n]!.postMessage({ id, task });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const [id, entry] of this.pending) {
      entry.reject(new Error('worker pool closed'));
      this.pending.delete(id);
    }
  }

  private failWorker(n: number, error: unknown): void {
    for (const [id, entry] of this.pending) {
      if (entry.worker !== n) continue;
      this.pending.delete(id);
      entry.reject(error);
    }
  }
}
