import cliProgress from 'cli-progress';
import type { TrainProgress } from '@levit-unet/training/node';

/**
 * Training progress on stderr: a cli-progress bar (loss, lr, slices/s, ETA) on a terminal, one plain line
 * every few iterations otherwise (logs, CI).
 */
export class TrainingProgress {
  private bar: cliProgress.SingleBar | null = null;
  private lastLine = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(p: TrainProgress): void {
    const values = { loss: p.loss.toFixed(4), lr: p.lr.toExponential(2), sps: p.slicesPerSecond.toFixed(1), epoch: `${p.epoch}/${p.epochs}` };
    if (this.stream.isTTY) {
      if (!this.bar) {
        this.bar = new cliProgress.SingleBar(
          { stream: this.stream, format: 'train [{bar}] {value}/{total} it | epoch {epoch} | loss {loss} | lr {lr} | {sps} slices/s | ETA {eta_formatted}', hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(p.totalIterations, p.iteration - 1, values);
      }
      this.bar.update(p.iteration, values);
      return;
    }
    const now = Date.now();
    if (p.iteration === 1 || p.iteration === p.totalIterations || now - this.lastLine > 10_000) {
      this.lastLine = now;
      this.stream.write(`iteration ${p.iteration}/${p.totalIterations} epoch ${values.epoch} loss ${values.loss} lr ${values.lr} ${values.sps} slices/s\n`);
    }
  }

  /** A status line between bar updates (validation progress). */
  note(text: string): void {
    if (this.stream.isTTY) this.bar?.update({ loss: text });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
