import { attrFloat, attrInts } from '../graph/node-attributes.js';
import type { OnnxNode } from '../onnx-proto.js';
import { consumersOf, floatConstant, producersOf, type OnnxGraphIR } from './onnx-graph-ir.js';

/** An inference BatchNorm as y = x·scale + shift per channel, in float64 so folding adds no rounding of its own. */
interface ScaleShift {
  scale: Float64Array;
  shift: Float64Array;
}

/** scale = γ / √(var + ε), shift = β − mean·scale, from a BatchNormalization's constant inputs; undefined when one is not constant. */
function scaleShiftOf(graph: OnnxGraphIR, bn: OnnxNode): ScaleShift | undefined {
  const [gamma, beta, mean, variance] = bn.input.slice(1, 5).map((name) => floatConstant(graph, name)?.data);
  if (!gamma || !beta || !mean || !variance) return undefined;
  const epsilon = attrFloat(bn, 'epsilon', 1e-5);
  const scale = Float64Array.from(gamma, (g, c) => g / Math.sqrt(variance[c]! + epsilon));
  return { scale, shift: Float64Array.from(beta, (b, c) => b - mean[c]! * scale[c]!) };
}

const isPerm = (node: OnnxNode | undefined, perm: number[]) => node?.opType === 'Transpose' && attrInts(node, 'perm')?.join() === perm.join();

/**
 * Folds each inference BatchNormalization into the layer before it where that layer's output feeds
 * nothing else, as torch.onnx does in eval mode: into a Conv's kernel and bias, or into a MatMul's
 * weight columns (+ its Add's bias), also across the Transpose pair a channel-last BatchNorm sits
 * between. Other BatchNorms stay. Only inference export runs it: training needs the BatchNorm itself.
 */
export function foldBatchNorms(graph: OnnxGraphIR): OnnxGraphIR {
  const removed = new Set<OnnxNode>();
  const inserted = new Map<OnnxNode, OnnxNode>();
  const outputs = new Set(graph.outputs);
  const producers = producersOf(graph);
  const consumers = consumersOf(graph);
  /** Read by exactly one node and not a graph output: safe to fold into. */
  const privateValue = (value: string) => !outputs.has(value) && consumers.get(value)?.length === 1;
  const newConstant = (hint: string, data: Float32Array, dims: number[]) => {
    let name = `${hint}.folded`;
    for (let k = 1; graph.constants.has(name) || producers.has(name); k++) name = `${hint}.folded_${k}`;
    graph.constants.set(name, { name, dims, data });
    return name;
  };

  /** Conv(x, W, B) → BN: W[o]·scale[o], B[o]·scale[o] + shift[o]. */
  const foldIntoConv = (conv: OnnxNode, { scale, shift }: ScaleShift): boolean => {
    const w = floatConstant(graph, conv.input[1]);
    const b = conv.input[2] ? floatConstant(graph, conv.input[2]) : undefined;
    if (!w || (conv.input[2] && !b) || w.dims[0] !== scale.length) return false;
    const perOutput = w.data.length / scale.length;
    conv.input[1] = newConstant(conv.input[1]!, Float32Array.from(w.data, (v, k) => v * scale[Math.floor(k / perOutput)]!), w.dims);
    conv.input[2] = newConstant(conv.input[2] || `${conv.name}.bias`, Float32Array.from(shift, (t, o) => (b ? b.data[o]! : 0) * scale[o]! + t), [scale.length]);
    return true;
  };

  /** MatMul(x, W) [→ Add(·, b)] → BN over the last axis: W's column c·scale[c], bias b·scale + shift; returns the node whose output is the folded value. */
  const foldIntoLinear = (last: OnnxNode, { scale, shift }: ScaleShift): OnnxNode | undefined => {
    const add = last.opType === 'Add' ? last : undefined;
    const matmul = add ? producers.get(add.input[0]!) : last;
    if (matmul?.opType !== 'MatMul' || (add && !privateValue(add.input[0]!))) return undefined;
    const w = floatConstant(graph, matmul.input[1]);
    const b = add ? floatConstant(graph, add.input[1]) : undefined;
    const columns = scale.length;
    if (!w || w.dims.length !== 2 || w.dims[1] !== columns || (add && (!b || b.data.length !== columns))) return undefined;
    matmul.input[1] = newConstant(matmul.input[1]!, Float32Array.from(w.data, (v, k) => v * scale[k % columns]!), w.dims);
    const bias = newConstant(add ? add.input[1]! : `${matmul.name}.bias`, Float32Array.from(shift, (t, c) => (b ? b.data[c]! : 0) * scale[c]! + t), [columns]);
    if (add) {
      add.input[1] = bias;
      return add;
    }
    const created: OnnxNode = { opType: 'Add', name: `${matmul.name}/Add`, input: [matmul.output[0]!, bias], output: [`${matmul.output[0]}.biased`] };
    inserted.set(matmul, created);
    return created;
  };

  for (const bn of graph.nodes) {
    if (bn.opType !== 'BatchNormalization' || bn.output.length !== 1) continue;
    const affine = scaleShiftOf(graph, bn);
    const x = bn.input[0]!;
    const before = producers.get(x);
    if (!affine || !before || !privateValue(x)) continue;
    const y = bn.output[0]!;
    if (before.opType === 'Conv') {
      if (!foldIntoConv(before, affine)) continue;
      before.output[0] = y;
      removed.add(bn);
      continue;
    }
    // A channel-last BatchNorm: Transpose(last axis → 1) → BN → Transpose back, around a linear layer.
    const rank = attrInts(before, 'perm')?.length ?? 0;
    const toFront = [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
    const toBack = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
    const after = consumers.get(y)?.[0];
    const transposed = rank >= 3 && isPerm(before, toFront) && privateValue(y) && isPerm(after, toBack) && privateValue(before.input[0]!);
    const linear = transposed ? producers.get(before.input[0]!) : before;
    if (!linear || (linear.opType !== 'MatMul' && linear.opType !== 'Add')) continue;
    const folded = foldIntoLinear(linear, affine);
    if (!folded) continue;
    // Rename the folded value to the name its readers use, and drop what it replaces.
    folded.output[0] = transposed ? after!.output[0]! : y;
    if (transposed) removed.add(before).add(after!);
    removed.add(bn);
  }
  graph.nodes = graph.nodes.flatMap((node) => (removed.has(node) ? [] : inserted.has(node) ? [node, inserted.get(node)!] : [node]));
  return graph;
}
