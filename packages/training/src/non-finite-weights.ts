import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { OptimizerState } from './torch-optimizer.js';

/** A tensor holding NaN or ±Infinity: its name, how many of its values, of how many. */
export interface NonFiniteTensor {
  name: string;
  count: number;
  size: number;
}

function countNonFinite(name: string, values: ArrayLike<number>): NonFiniteTensor | null {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) count++;
  return count === 0 ? null : { name, count, size: values.length };
}

/** The model's weights (trainable and not: BatchNorm running statistics too) that hold NaN/Inf. */
export async function findNonFiniteWeights(model: LayersModel): Promise<NonFiniteTensor[]> {
  const found: NonFiniteTensor[] = [];
  for (const weight of model.weights) {
    if (weight.dtype !== 'float32') continue;
    const hit = countNonFinite(weight.originalName, (await weight.read().data()) as Float32Array);
    if (hit) found.push(hit);
  }
  return found;
}

/** The optimizer moments / momentum buffers that hold NaN/Inf, named `variable/buffer`. */
export function findNonFiniteOptimizerState(state: OptimizerState): NonFiniteTensor[] {
  const found: NonFiniteTensor[] = [];
  for (const [variable, slot] of Object.entries(state.slots)) {
    for (const [buffer, values] of Object.entries(slot.buffers)) {
      const hit = countNonFinite(`${variable}/${buffer}`, values);
      if (hit) found.push(hit);
    }
  }
  return found;
}

const millions = (n: number) => (n >= 1e5 ? `${(n / 1e6).toFixed(1)} M` : String(n));

/** One line: "15.9 M of 15.9 M values in 212 tensors (first: stem/kernel, 432 of 432)". */
export function describeNonFinite(found: readonly NonFiniteTensor[], total: number): string {
  const count = found.reduce((s, t) => s + t.count, 0);
  const first = found[0]!;
  return `${millions(count)} of ${millions(total)} values in ${found.length} tensor${found.length === 1 ? '' : 's'} (first: ${first.name}, ${first.count} of ${first.size})`;
}
