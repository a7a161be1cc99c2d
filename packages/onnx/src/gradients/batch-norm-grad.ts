import type { OnnxNode } from '../onnx-proto.js';
import type { CompositeGradient } from './composite-gradient.js';
import type { GradientContext } from './gradient-rule.js';

/** What a training BatchNorm emitted: y = centred·scale (+ β), centred = x − mean, scale = inv·γ, inv = 1/√(σ² + ε). */
export interface BatchNormValues {
  x: string;
  centred: string;
  /** 1/√(σ² + ε), broadcastable against x. */
  inverseStd: string;
  /** inv·γ (or inv without γ), broadcastable against x. */
  scale: string;
  gamma?: string;
  beta?: string;
  /** The reduced axes (every axis but the channel's), innermost last. */
  axes: number[];
  /** Values per channel (the product of the reduced extents). */
  count: number;
  channels: number;
}

/** Σ over `axes` keeping dims, one axis at a time innermost first (float32 sums of ≤ 224 terms). */
function sumOver(ctx: GradientContext, x: string, axes: readonly number[]): string {
  const g = ctx.graph;
  return [...axes].reverse().reduce((acc, axis) => g.op('ReduceSum', [acc, g.int64s([axis], 'axes')], ctx.name, { keepdims: { int: 1 } }), x);
}

/**
 * The closed-form gradient of BatchNorm on batch statistics (biased variance), with M values per channel:
 * dβ = Σ dy, dγ = inv·Σ dy·(x − μ), dx = scale·dy − (x − μ)·scale·inv²·Σ dy·(x − μ)/M − scale·Σ dy/M.
 * Four passes over x-sized tensors plus two reductions, where the elementwise chain takes about twelve.
 */
export function batchNormGradient(bn: BatchNormValues, output: string, nodes: ReadonlySet<OnnxNode>): CompositeGradient {
  const inputs = [bn.x, ...(bn.gamma ? [bn.gamma] : []), ...(bn.beta ? [bn.beta] : [])];
  return {
    output,
    nodes,
    inputs,
    vjp(ctx, dy, needs) {
      const g = ctx.graph;
      const flat = g.int64s([bn.channels], 'shape');
      const sumDy = sumOver(ctx, dy, bn.axes);
      const sumDyCentred = sumOver(ctx, g.op('Mul', [dy, bn.centred], ctx.name), bn.axes);
      const out: Array<string | null> = [];
      if (needs[0]) {
        const k1 = g.op('Mul', [bn.scale, g.op('Mul', [sumDy, g.scalar(1 / bn.count)], ctx.name)], ctx.name);
        const inv2 = g.op('Mul', [bn.inverseStd, bn.inverseStd], ctx.name);
        const k2 = g.op('Mul', [g.op('Mul', [bn.scale, inv2], ctx.name), g.op('Mul', [sumDyCentred, g.scalar(1 / bn.count)], ctx.name)], ctx.name);
        const correction = g.op('Add', [g.op('Mul', [bn.centred, k2], ctx.name), k1], ctx.name);
        out.push(g.op('Sub', [g.op('Mul', [dy, bn.scale], ctx.name), correction], ctx.name));
      } else out.push(null);
      let k = 1;
      if (bn.gamma) out.push(needs[k++] ? g.op('Reshape', [g.op('Mul', [sumDyCentred, bn.inverseStd], ctx.name), flat], ctx.name) : null);
      if (bn.beta) out.push(needs[k++] ? g.op('Reshape', [sumDy, flat], ctx.name) : null);
      return out;
    },
  };
}
