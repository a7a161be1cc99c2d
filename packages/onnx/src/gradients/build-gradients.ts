import type { OnnxGraphBuilder } from '../onnx-graph-builder.js';
import type { OnnxNode } from '../onnx-proto.js';
import type { CompositeGradient } from './composite-gradient.js';
import { DEFAULT_GRADIENT_FORMULATIONS, type GradientContext, type GradientFormulations } from './gradient-rule.js';
import { GRADIENT_RULES } from './register-all-gradients.js';

/** The graph's gradient helpers bound to one node's name. */
function gradientContext(graph: OnnxGraphBuilder, name: string, formulations: GradientFormulations = DEFAULT_GRADIENT_FORMULATIONS): GradientContext {
  return {
    graph,
    name,
    formulations,
    unbroadcast(grad, shape) {
      const from = graph.shape(grad);
      const offset = from.length - shape.length;
      const axes = from.flatMap((d, i) => (i < offset || (shape[i - offset] === 1 && d !== 1) ? [i] : []));
      if (axes.length === 0) return grad;
      const summed = graph.op('ReduceSum', [grad, graph.int64s(axes, 'axes')], name, { keepdims: { int: 1 } });
      return offset > 0 ? graph.op('Reshape', [summed, graph.int64s([...shape], 'shape')], name) : summed;
    },
    zeros(shape) {
      return graph.op('ConstantOfShape', [graph.int64s([...shape], 'shape')], name);
    },
  };
}

/**
 * Reverse-mode differentiation of the scalar `loss` with respect to the values `wrt` (graph inputs),
 * appended to `graph` as standard ONNX ops: every node between them gets the rule of its op type from
 * `GRADIENT_RULES`, gradients reaching a value along several paths are added (one Sum). Returns the
 * gradient value of each of `wrt` (zeros where the loss does not depend on it).
 */
export function buildGradients(
  graph: OnnxGraphBuilder,
  loss: string,
  wrt: readonly string[],
  formulations: Partial<GradientFormulations> = {},
  composites: readonly CompositeGradient[] = [],
): Map<string, string> {
  const chosen = { ...DEFAULT_GRADIENT_FORMULATIONS, ...formulations };
  const lossShape = graph.shape(loss);
  if (lossShape.length !== 0) throw new Error(`buildGradients: the loss "${loss}" must be a scalar, has shape [${lossShape}]`);
  const forward = [...graph.nodes];
  // Values that depend on a trainable input, forward.
  const dependsOnWrt = new Set(wrt);
  for (const node of forward) if (node.input.some((i) => dependsOnWrt.has(i))) node.output.forEach((o) => dependsOnWrt.add(o));
  // Values the loss depends on, backward.
  const reachesLoss = new Set([loss]);
  for (let k = forward.length - 1; k >= 0; k--) {
    const node = forward[k]!;
    if (node.output.some((o) => reachesLoss.has(o))) node.input.forEach((i) => i && reachesLoss.add(i));
  }
  const compositeOf = new Map<OnnxNode, CompositeGradient>();
  const interior = new Map<string, CompositeGradient>();
  for (const c of chosen.batchNorm === 'fused' ? composites : []) {
    for (const node of c.nodes) {
      compositeOf.set(node, c);
      for (const o of node.output) if (o !== c.output) interior.set(o, c);
    }
  }
  for (const node of forward) {
    if (compositeOf.has(node) || !node.output.some((o) => reachesLoss.has(o))) continue;
    const inner = node.input.find((i) => interior.has(i));
    if (inner) throw new Error(`buildGradients: value "${inner}" inside the composite gradient of "${interior.get(inner)!.output}" reaches the loss through node ${node.name}`);
  }
  const contributions = new Map<string, string[]>([[loss, [graph.scalar(1)]]]);
  const contribute = (node: string, input: string, d: string, index: number) => {
    const [want, got] = [graph.shape(input), graph.shape(d)];
    if (want.join() !== got.join()) throw new Error(`buildGradients: the gradient of input ${index} of ${node} has shape [${got}], the input has [${want}]`);
    const list = contributions.get(input) ?? [];
    list.push(d);
    contributions.set(input, list);
  };
  const total = (value: string): string | null => {
    const parts = contributions.get(value);
    if (!parts || parts.length === 0) return null;
    if (parts.length > 1) contributions.set(value, [graph.op('Sum', parts, `${value}/grad_sum`)]);
    return contributions.get(value)![0]!;
  };
  for (let k = forward.length - 1; k >= 0; k--) {
    const node = forward[k]!;
    const composite = compositeOf.get(node);
    if (composite) {
      if (!node.output.includes(composite.output)) continue;
      const dOutput = total(composite.output);
      const needs = composite.inputs.map((i) => dependsOnWrt.has(i) && reachesLoss.has(i));
      if (dOutput == null || !needs.some(Boolean)) continue;
      const dInputs = composite.vjp(gradientContext(graph, `${node.name}/grad`, chosen), dOutput, needs);
      composite.inputs.forEach((input, i) => needs[i] && dInputs[i] != null && contribute(`the composite of "${composite.output}"`, input, dInputs[i]!, i));
      continue;
    }
    const needs = node.input.map((i) => i !== '' && dependsOnWrt.has(i) && reachesLoss.has(i));
    if (!needs.some(Boolean)) continue;
    const dOutputs = node.output.map((o) => (reachesLoss.has(o) ? total(o) : null));
    if (dOutputs.every((d) => d == null)) continue;
    const rule = GRADIENT_RULES.get(node.opType);
    if (!rule) {
      throw new Error(`buildGradients: no gradient rule for ONNX op ${node.opType} (node ${node.name}); rules exist for ${[...GRADIENT_RULES.keys()].join(', ')}`);
    }
    const dInputs = rule.vjp(gradientContext(graph, `${node.name}/grad`, chosen), node, dOutputs, needs);
    node.input.forEach((input, i) => {
      const d = dInputs[i];
      if (needs[i] && d != null) contribute(`the ${node.opType} rule's node ${node.name}`, input, d, i);
    });
  }
  return new Map(wrt.map((w) => [w, total(w) ?? gradientContext(graph, `${w}/grad`).zeros(graph.shape(w))]));
}
