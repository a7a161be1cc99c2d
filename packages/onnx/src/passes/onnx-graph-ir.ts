import type { Initializer } from '../onnx-graph-builder.js';
import type { OnnxNode } from '../onnx-proto.js';

/** A graph as the passes rewrite it: nodes in topological order, constants by name, the graph's output names. */
export interface OnnxGraphIR {
  nodes: OnnxNode[];
  constants: Map<string, Initializer>;
  readonly outputs: readonly string[];
}

/** A graph-to-graph rewrite; it may mutate and return its argument. */
export type GraphPass = (graph: OnnxGraphIR) => OnnxGraphIR;

/** The nodes reading each value (a node reading a value twice is listed twice). */
export function consumersOf(graph: OnnxGraphIR): Map<string, OnnxNode[]> {
  const consumers = new Map<string, OnnxNode[]>();
  for (const node of graph.nodes) {
    for (const input of node.input) {
      if (input === '') continue;
      let list = consumers.get(input);
      if (!list) consumers.set(input, (list = []));
      list.push(node);
    }
  }
  return consumers;
}

/** The node producing each value. */
export function producersOf(graph: OnnxGraphIR): Map<string, OnnxNode> {
  const producers = new Map<string, OnnxNode>();
  for (const node of graph.nodes) for (const output of node.output) producers.set(output, node);
  return producers;
}

/** A float32 constant's contents, or undefined for anything else. */
export function floatConstant(graph: OnnxGraphIR, name: string | undefined): Initializer & { data: Float32Array } | undefined {
  const c = name ? graph.constants.get(name) : undefined;
  return c && c.data instanceof Float32Array ? (c as Initializer & { data: Float32Array }) : undefined;
}
