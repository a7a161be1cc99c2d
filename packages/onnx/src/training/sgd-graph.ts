import type { OnnxGraphBuilder } from '../onnx-graph-builder.js';
import type { OptimizerGraph, OptimizerParameter, OptimizerSlot } from './optimizer-graph.js';

export interface SgdGraphOptions {
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

/** The per-step scalar inputs of the SGD graph. */
export const SGD_SCALARS = { lr: 'sgd_lr', bufferDecay: 'sgd_buffer_decay', gradScale: 'sgd_grad_scale' } as const;

/**
 * The scalars for PyTorch step t (1-based): on a weight's first step the momentum buffer is the gradient
 * itself (decay 0, scale 1), afterwards buf ← momentum·buf + (1 − dampening)·g.
 */
export function sgdScalars(lr: number, step: number, options: SgdGraphOptions): Record<string, number> {
  const first = step === 1;
  return { [SGD_SCALARS.lr]: lr, [SGD_SCALARS.bufferDecay]: first ? 0 : options.momentum, [SGD_SCALARS.gradScale]: first ? 1 : 1 - options.dampening };
}

/** `torch.optim.SGD` as graph ops: g ← g + wd·p; with momentum buf as above, g ← buf (or g + momentum·buf, nesterov); p ← p − lr·g. */
export function emitSgd(g: OnnxGraphBuilder, parameters: readonly OptimizerParameter[], options: SgdGraphOptions): OptimizerGraph {
  const scalar = (key: string) => {
    const name = g.reserve(key);
    g.setShape(name, []);
    return name;
  };
  const lr = scalar(SGD_SCALARS.lr);
  const withMomentum = options.momentum !== 0;
  const decay = withMomentum ? scalar(SGD_SCALARS.bufferDecay) : '';
  const scale = withMomentum ? scalar(SGD_SCALARS.gradScale) : '';
  const slots: OptimizerSlot[] = [];
  const updated = new Map<string, string>();
  for (const p of parameters) {
    const name = `${p.name}/sgd`;
    let grad = options.weightDecay !== 0 ? g.op('Add', [p.grad, g.op('Mul', [p.name, g.scalar(options.weightDecay)], name)], name) : p.grad;
    if (withMomentum) {
      const buffer = g.reserve(`${p.name}.momentum_buffer`);
      g.setShape(buffer, p.dims);
      const next = g.op('Add', [g.op('Mul', [buffer, decay], name), g.op('Mul', [grad, scale], name)], name);
      slots.push({ parameter: p.name, buffer: 'momentum_buffer', input: buffer, output: next });
      grad = options.nesterov ? g.op('Add', [grad, g.op('Mul', [next, g.scalar(options.momentum)], name)], name) : next;
    }
    updated.set(p.name, g.op('Sub', [p.name, g.op('Mul', [grad, lr], name)], name));
  }
  return { kind: 'sgd', scalarInputs: withMomentum ? [lr, decay, scale] : [lr], slots, updated };
}
