/**
 * A learning-rate schedule:
 * - `constant`: base_lr throughout (the LeViT-UNet paper's Adam);
 * - `poly`: TransUNet's `base_lr · (1 − iter_num / max_iterations)^power`, power 0.9.
 */
export type LrSchedule = { kind: 'constant' } | { kind: 'poly'; maxIterations: number; power?: number };

/** The learning rate schedules: constant, and TransUNet's poly. */
export const LR_SCHEDULE_KINDS = ['constant', 'poly'] as const;

/**
 * The learning rate used by iteration `iteration` (0-based). TransUNet's trainer sets the rate AFTER
 * `optimizer.step()` from the iteration just finished (`lr_ = base_lr * (1 - iter_num / max_iterations)
 * ** 0.9; iter_num += 1`), so iterations 0 and 1 both use base_lr and iteration i ≥ 1 uses
 * base_lr · (1 − (i − 1)/max_iterations)^0.9. Past max_iterations the rate is 0.
 */
export function learningRate(schedule: LrSchedule, baseLr: number, iteration: number): number {
  if (!Number.isInteger(iteration) || iteration < 0) throw new Error(`learningRate: iteration must be an integer >= 0, got ${iteration}`);
  if (schedule.kind === 'constant') return baseLr;
  if (schedule.kind === 'poly') {
    const { maxIterations } = schedule;
    if (!(Number.isInteger(maxIterations) && maxIterations > 0)) {
      throw new Error(`poly schedule: maxIterations must be a positive integer, got ${maxIterations}`);
    }
    const iterNum = Math.max(0, iteration - 1);
    return baseLr * Math.max(0, 1 - iterNum / maxIterations) ** (schedule.power ?? 0.9);
  }
  throw new Error(`unknown learning-rate schedule ${(schedule as { kind: string }).kind}: expected ${LR_SCHEDULE_KINDS.join(' or ')}`);
}
