import { consumersOf, type OnnxGraphIR } from './onnx-graph-ir.js';

/** Drops nodes whose outputs nothing reads (repeatedly) and constants no node reads: what folding left behind. */
export function pruneUnused(graph: OnnxGraphIR): OnnxGraphIR {
  const outputs = new Set(graph.outputs);
  for (let changed = true; changed; ) {
    const consumers = consumersOf(graph);
    const live = graph.nodes.filter((node) => node.output.some((o) => outputs.has(o) || consumers.has(o)));
    changed = live.length !== graph.nodes.length;
    graph.nodes = live;
  }
  const read = consumersOf(graph);
  for (const name of [...graph.constants.keys()]) if (!read.has(name) && !outputs.has(name)) graph.constants.delete(name);
  return graph;
}
