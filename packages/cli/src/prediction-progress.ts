import cliProgress from 'cli-progress';
import type { ScanProgress } from '@levit-unet/inference/node';
import { say } from './options.js';

/**
 * Cohort prediction progress on stderr: on a terminal a cli-progress bar over the part's scans (a scan
 * counts as it goes, by slices) with the scan in flight and the ETA, and the per-scan lines printed above
 * it; elsewhere (logs, CI) only the per-scan lines, on stdout.
 */
export class PredictionProgress {
  private bars: cliProgress.MultiBar | null = null;
  private bar: cliProgress.SingleBar | null = null;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(p: ScanProgress): void {
    if (!this.stream.isTTY) return;
    const scan = p.input.split(/[\\/]/).pop()!;
    if (!this.bars) {
      this.bars = new cliProgress.MultiBar(
        { stream: this.stream, format: 'predict [{bar}] {done}/{files} scans | {scan} | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar = this.bars.create(p.files, 0, { done: 0, files: p.files, scan });
    }
    this.bar!.update(p.fileIndex + (p.slicesTotal > 0 ? p.slicesDone / p.slicesTotal : 0), { done: p.fileIndex, files: p.files, scan });
  }

  /** One line about a finished scan, `done` of `total`: above the bar when both streams are the terminal, else on stdout. */
  scanDone(line: string, done: number, total: number): void {
    this.bar?.update(done, { done, files: total });
    if (this.bars && process.stdout.isTTY) this.bars.log(`${line}\n`);
    else say(line);
  }

  stop(): void {
    this.bars?.stop();
    this.bars = null;
    this.bar = null;
  }
}
