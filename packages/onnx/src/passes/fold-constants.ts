import { attrInt, attrInts } from '../graph/node-attributes.js';
import type { Initializer } from '../onnx-graph-builder.js';
import type { OnnxNode } from '../onnx-proto.js';
import type { OnnxGraphIR } from './onnx-graph-ir.js';

/** Row-major strides of a shape. */
function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * dims[i + 1]!;
  return strides;
}

/** Transpose of a constant (a tfjs HWIO kernel to OIHW, in a converted graph). */
function transpose(node: OnnxNode, [x]: Initializer[]): Initializer {
  const perm = attrInts(node, 'perm') ?? x!.dims.map((_, i) => x!.dims.length - 1 - i);
  const dims = perm.map((p) => x!.dims[p]!);
  const inStrides = stridesOf(x!.dims);
  const source = perm.map((p) => inStrides[p]!);
  const data = new (x!.data.constructor as Float32ArrayConstructor)(x!.data.length) as Initializer['data'];
  const index = new Array<number>(dims.length).fill(0);
  for (let k = 0, from = 0; k < data.length; k++) {
    data[k] = x!.data[from]!;
    // Odometer over the output index, tracking the matching input offset.
    for (let a = dims.length - 1; a >= 0; a--) {
      from += source[a]!;
      if (++index[a]! < dims[a]!) break;
      from -= source[a]! * dims[a]!;
      index[a] = 0;
    }
  }
  return { name: node.output[0]!, dims, data };
}

/** Gather of a constant along an axis (the attention-bias table indexed by attention_bias_idxs). */
function gather(node: OnnxNode, [x, indices]: Initializer[]): Initializer | undefined {
  if (!(indices!.data instanceof BigInt64Array)) return undefined;
  const rank = x!.dims.length;
  const axis = ((attrInt(node, 'axis', 0) % rank) + rank) % rank;
  const outer = x!.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const extent = x!.dims[axis]!;
  const inner = x!.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const picks = Array.from(indices!.data, (i) => (Number(i) < 0 ? Number(i) + extent : Number(i)));
  if (picks.some((i) => i < 0 || i >= extent)) throw new Error(`fold-constants: Gather node ${node.name}: an index is out of range [0, ${extent})`);
  const data = new (x!.data.constructor as Float32ArrayConstructor)(outer * picks.length * inner) as Initializer['data'];
  for (let o = 0, k = 0; o < outer; o++) {
    for (const i of picks) {
      const from = (o * extent + i) * inner;
      for (let j = 0; j < inner; j++) data[k++] = x!.data[from + j]!;
    }
  }
  return { name: node.output[0]!, dims: [...x!.dims.slice(0, axis), ...indices!.dims, ...x!.dims.slice(axis + 1)], data };
}

/** The ops this pass evaluates: the ones converters apply to weights (which training feeds as inputs instead). */
const EVALUATORS: Partial<Record<string, (node: OnnxNode, inputs: Initializer[]) => Initializer | undefined>> = { Transpose: transpose, Gather: gather };

/**
 * Replaces every node of an evaluable op whose inputs are all constants by its constant output, as
 * onnxruntime's constant folding does, so that the exported file holds OIHW kernels and gathered
 * attention-bias tables instead of computing them per run.
 */
export function foldConstants(graph: OnnxGraphIR): OnnxGraphIR {
  const kept: OnnxNode[] = [];
  for (const node of graph.nodes) {
    const evaluate = EVALUATORS[node.opType];
    const inputs = node.input.map((name) => graph.constants.get(name));
    const folded = evaluate && node.output.length === 1 && inputs.every((c) => c !== undefined) ? evaluate(node, inputs as Initializer[]) : undefined;
    if (folded) graph.constants.set(folded.name, folded);
    else kept.push(node);
  }
  graph.nodes = kept;
  return graph;
}
