import type { OnnxGraphBuilder } from '../onnx-graph-builder.js';
import type { OptimizerGraph, OptimizerParameter, OptimizerSlot } from './optimizer-graph.js';

export interface AdamGraphOptions {
  betas: [number, number];
  eps: number;
  /** PyTorch's coupled L2 (g ← g + wd·p before the moments), not AdamW. */
  weightDecay: number;
}

/** The per-step scalar inputs of the Adam graph. */
export const ADAM_SCALARS = { stepSize: 'adam_step_size', biasCorrection2Sqrt: 'adam_bias_correction2_sqrt' } as const;

/** The scalars for PyTorch step t (1-based): step size lr / (1 − β1ᵗ) and √(1 − β2ᵗ). */
export function adamScalars(lr: number, step: number, betas: [number, number]): Record<string, number> {
  return { [ADAM_SCALARS.stepSize]: lr / (1 - betas[0] ** step), [ADAM_SCALARS.biasCorrection2Sqrt]: Math.sqrt(1 - betas[1] ** step) };
}

/**
 * `torch.optim.Adam` (amsgrad off) as graph ops, in TorchAdam's order: g ← g + wd·p;
 * m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; p ← p − (lr/(1 − β1ᵗ))·m / (√v/√(1 − β2ᵗ) + eps).
 */
export function emitAdam(g: OnnxGraphBuilder, parameters: readonly OptimizerParameter[], options: AdamGraphOptions): OptimizerGraph {
  const [beta1, beta2] = options.betas;
  const stepSize = g.reserve(ADAM_SCALARS.stepSize);
  const bc2 = g.reserve(ADAM_SCALARS.biasCorrection2Sqrt);
  g.setShape(stepSize, []);
  g.setShape(bc2, []);
  const slots: OptimizerSlot[] = [];
  const updated = new Map<string, string>();
  for (const p of parameters) {
    const name = `${p.name}/adam`;
    const slot = (buffer: string) => {
      const input = g.reserve(`${p.name}.${buffer}`);
      g.setShape(input, p.dims);
      return input;
    };
    const m = slot('exp_avg');
    const v = slot('exp_avg_sq');
    const grad = options.weightDecay !== 0 ? g.op('Add', [p.grad, g.op('Mul', [p.name, g.scalar(options.weightDecay)], name)], name) : p.grad;
    const m2 = g.op('Add', [g.op('Mul', [m, g.scalar(beta1)], name), g.op('Mul', [grad, g.scalar(1 - beta1)], name)], name);
    const v2 = g.op('Add', [g.op('Mul', [v, g.scalar(beta2)], name), g.op('Mul', [g.op('Mul', [grad, grad], name), g.scalar(1 - beta2)], name)], name);
    const denom = g.op('Add', [g.op('Div', [g.op('Sqrt', [v2], name), bc2], name), g.scalar(options.eps)], name);
    updated.set(p.name, g.op('Sub', [p.name, g.op('Mul', [g.op('Div', [m2, denom], name), stepSize], name)], name));
    slots.push({ parameter: p.name, buffer: 'exp_avg', input: m, output: m2 }, { parameter: p.name, buffer: 'exp_avg_sq', input: v, output: v2 });
  }
  return { kind: 'adam', scalarInputs: [stepSize, bc2], slots, updated };
}
