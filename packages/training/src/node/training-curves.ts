import { writePng } from '@levit-unet/datasets/node';
import { plotCurves, type CurvePanel } from '../plot-curves.js';
import { runPath } from './run-folder.js';
import type { IterationRecord, LogRecord, ValidationRecord } from './training-log.js';

/** `curves.png` from the log so far: the loss parts per iteration, and mean Dice per validation. */
export async function writeCurves(runDir: string, records: readonly LogRecord[]): Promise<void> {
  const train = records.filter((r): r is IterationRecord => r.type === 'train');
  const validation = records.filter((r): r is ValidationRecord => r.type === 'validation');
  const iterations = train.map((r) => r.iteration);
  const panels: CurvePanel[] = [
    {
      title: 'training loss',
      series: [
        { x: iterations, y: train.map((r) => r.ce), color: [150, 190, 240], label: 'cross-entropy' },
        { x: iterations, y: train.map((r) => r.dice), color: [240, 190, 150], label: 'Dice loss' },
        { x: iterations, y: train.map((r) => r.loss), color: [20, 60, 200], label: 'loss' },
      ],
    },
  ];
  // The validation panel only for runs that validate.
  if (validation.length > 0) {
    const dice = { x: validation.map((r) => r.iteration), y: validation.map((r) => r.meanDice) };
    panels.push({ title: 'validation', series: [{ ...dice, color: [220, 90, 20], dots: true, label: 'mean Dice' }], yRange: [0, 1] });
  }
  await writePng(runPath(runDir, 'curves'), plotCurves(panels));
}
