import type { OnnxNode } from '../onnx-proto.js';
import { attrInt, attrInts } from './node-attributes.js';

/** What shape inference may read: the static shape of a value, the contents of an int64 constant. */
export interface ShapeSource {
  shapeOf(value: string): readonly number[] | undefined;
  int64Of(value: string): readonly number[] | undefined;
}

/** Numpy broadcasting of static shapes; throws on incompatible extents. */
export function broadcastShapes(shapes: ReadonlyArray<readonly number[]>, where: string): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + i] ?? 1;
      if (e !== 1 && d !== 1 && e !== d) throw new Error(`${where}: shapes [${shapes.map((x) => `[${x}]`).join(', ')}] do not broadcast`);
      if (e !== 1) d = e;
    }
    out.push(d);
  }
  return out;
}

const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Where', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Equal', 'And', 'Or', 'Max', 'Min', 'Sum']);
const UNARY = new Set(['Relu', 'HardSwish', 'Sqrt', 'Reciprocal', 'Neg', 'Exp', 'Log', 'Abs', 'Sigmoid', 'Tanh', 'Cast', 'Identity', 'Clip', 'Softmax', 'LogSoftmax', 'Erf', 'Not', 'Sign']);
/** Reductions whose axes are an attribute at opset 17 (ReduceSum takes them as an input since opset 13). */
const REDUCE_AXES_ATTRIBUTE = new Set(['ReduceMean', 'ReduceSumSquare', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL2']);

const normAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

function reduced(shape: readonly number[], axes: readonly number[] | undefined, keepdims: boolean): number[] {
  const set = new Set((axes ?? shape.map((_, i) => i)).map((a) => normAxis(a, shape.length)));
  return shape.flatMap((d, i) => (set.has(i) ? (keepdims ? [1] : []) : [d]));
}

/** The spatial output extent of a convolution or pooling window. */
function windowOut(size: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number): number {
  return Math.floor((size + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * Static output shapes of one node, for the ops this package emits; undefined when an input shape is
 * unknown (a dynamic batch in inference export). Gradients need them to undo broadcasting and reshape back.
 */
export function inferOutputShapes(node: OnnxNode, src: ShapeSource): number[][] | undefined {
  const inputs = node.input.map((name) => (name === '' ? undefined : src.shapeOf(name)));
  const x = inputs[0];
  const where = `${node.opType} node ${node.name ?? ''}`;
  const op = node.opType;
  if (ELEMENTWISE.has(op)) {
    if (!inputs.every((s) => s !== undefined)) return undefined;
    return [broadcastShapes(inputs as number[][], where)];
  }
  if (UNARY.has(op)) return x ? [[...x]] : undefined;
  if (!x) return undefined;
  switch (op) {
    case 'MatMul': {
      const b = inputs[1];
      if (!b) return undefined;
      if (x.length < 2 || b.length < 2) throw new Error(`${where}: rank-1 MatMul operands are not supported, got [${x}] and [${b}]`);
      if (x[x.length - 1] !== b[b.length - 2]) throw new Error(`${where}: inner dimensions differ, [${x}] · [${b}]`);
      const batch = broadcastShapes([x.slice(0, -2), b.slice(0, -2)], where);
      return [[...batch, x[x.length - 2]!, b[b.length - 1]!]];
    }
    case 'Conv':
    case 'ConvTranspose':
    case 'MaxPool':
    case 'AveragePool': {
      const w = inputs[1];
      const spatial = x.length - 2;
      const kernel = attrInts(node, 'kernel_shape') ?? (w ? w.slice(2) : undefined);
      if (!kernel) return undefined;
      const strides = attrInts(node, 'strides') ?? new Array<number>(spatial).fill(1);
      const dilations = attrInts(node, 'dilations') ?? new Array<number>(spatial).fill(1);
      const pads = attrInts(node, 'pads') ?? new Array<number>(2 * spatial).fill(0);
      const group = attrInt(node, 'group', 1);
      if (op === 'ConvTranspose') {
        if (!w) return undefined;
        const outPad = attrInts(node, 'output_padding') ?? new Array<number>(spatial).fill(0);
        const sizes = x.slice(2).map((n, i) => strides[i]! * (n - 1) + outPad[i]! + dilations[i]! * (kernel[i]! - 1) + 1 - pads[i]! - pads[i + spatial]!);
        return [[x[0]!, w[1]! * group, ...sizes]];
      }
      const sizes = x.slice(2).map((n, i) => windowOut(n, kernel[i]!, strides[i]!, pads[i]!, pads[i + spatial]!, dilations[i]!));
      const channels = op === 'Conv' ? w![0]! : x[1]!;
      const shape = [x[0]!, channels, ...sizes];
      return op === 'MaxPool' && node.output.length > 1 ? [shape, shape] : [shape];
    }
    case 'Transpose': {
      const perm = attrInts(node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
      return [perm.map((p) => x[p]!)];
    }
    case 'Reshape': {
      const target = src.int64Of(node.input[1]!);
      if (!target) throw new Error(`${where}: the shape must be an int64 constant`);
      const size = x.reduce((a, b) => a * b, 1);
      const shape = target.map((d, i) => (d === 0 ? x[i]! : d));
      const rest = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const out = shape.map((d) => (d === -1 ? size / rest : d));
      if (out.reduce((a, b) => a * b, 1) !== size) throw new Error(`${where}: cannot reshape [${x}] to [${target}]`);
      return [out];
    }
    case 'Flatten': {
      const axis = normAxis(attrInt(node, 'axis', 1), x.length);
      return [[x.slice(0, axis).reduce((a, b) => a * b, 1), x.slice(axis).reduce((a, b) => a * b, 1)]];
    }
    case 'Split': {
      const axis = normAxis(attrInt(node, 'axis', 0), x.length);
      const sizes = node.input[1] ? src.int64Of(node.input[1]) : undefined;
      const parts = sizes ?? new Array<number>(node.output.length).fill(x[axis]! / node.output.length);
      return parts.map((p) => x.map((d, i) => (i === axis ? p : d)));
    }
    case 'Concat': {
      if (!inputs.every((s) => s !== undefined)) return undefined;
      const axis = normAxis(attrInt(node, 'axis', 0), x.length);
      return [x.map((d, i) => (i === axis ? (inputs as number[][]).reduce((s, shape) => s + shape[i]!, 0) : d))];
    }
    case 'Gather': {
      const axis = normAxis(attrInt(node, 'axis', 0), x.length);
      const indices = inputs[1] ?? (src.int64Of(node.input[1]!) ? [src.int64Of(node.input[1]!)!.length] : undefined);
      if (!indices) return undefined;
      return [[...x.slice(0, axis), ...indices, ...x.slice(axis + 1)]];
    }
    case 'ScatterElements':
    case 'ScatterND':
    case 'BatchNormalization':
      return [[...x]];
    case 'ReduceSum': {
      const axes = node.input[1] ? src.int64Of(node.input[1]) : undefined;
      return [reduced(x, axes, attrInt(node, 'keepdims', 1) === 1)];
    }
    case 'Expand': {
      const target = src.int64Of(node.input[1]!);
      if (!target) throw new Error(`${where}: the shape must be an int64 constant`);
      return [broadcastShapes([x, target], where)];
    }
    case 'ConstantOfShape': {
      const target = src.int64Of(node.input[0]!);
      return target ? [[...target]] : undefined;
    }
    case 'Unsqueeze': {
      const axes = src.int64Of(node.input[1]!)!;
      const rank = x.length + axes.length;
      const set = new Set(axes.map((a) => normAxis(a, rank)));
      const out: number[] = [];
      for (let i = 0, k = 0; i < rank; i++) out.push(set.has(i) ? 1 : x[k++]!);
      return [out];
    }
    case 'Squeeze': {
      const axes = node.input[1] ? src.int64Of(node.input[1]) : undefined;
      const set = new Set((axes ?? x.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => normAxis(a, x.length)));
      return [x.filter((_, i) => !set.has(i))];
    }
    case 'Slice': {
      const starts = src.int64Of(node.input[1]!)!;
      const ends = src.int64Of(node.input[2]!)!;
      const axes = node.input[3] ? src.int64Of(node.input[3])! : starts.map((_, i) => i);
      const steps = node.input[4] ? src.int64Of(node.input[4])! : starts.map(() => 1);
      const out = [...x];
      axes.forEach((a, k) => {
        const axis = normAxis(a, x.length);
        const n = x[axis]!;
        const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
        out[axis] = Math.max(0, Math.ceil((clamp(ends[k]!) - clamp(starts[k]!)) / steps[k]!));
      });
      return [out];
    }
    case 'Pad': {
      const pads = src.int64Of(node.input[1]!);
      if (!pads) throw new Error(`${where}: the pads must be an int64 constant`);
      return [x.map((d, i) => d + pads[i]! + pads[i + x.length]!)];
    }
    case 'ArgMax':
      return [reduced(x, [attrInt(node, 'axis', 0)], attrInt(node, 'keepdims', 1) === 1)];
    default:
      if (REDUCE_AXES_ATTRIBUTE.has(op)) return [reduced(x, attrInts(node, 'axes'), attrInt(node, 'keepdims', 1) === 1)];
      return undefined;
  }
}
