import { inferOutputShapes } from './graph/shape-inference.js';
import {
  OnnxAttributeType,
  OnnxDataType,
  type OnnxAttribute,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-proto.js';

/** An attribute value with its ONNX type made explicit (a JS number alone cannot tell INT from FLOAT). */
export type AttributeValue =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { string: string };

export type Attributes = Record<string, AttributeValue>;

/** A constant tensor, held until serialisation. */
export interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export type Dim = number | string;

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Tensor contents as ONNX `raw_data`: fixed-width little-endian (a view, not a copy: initializers own their arrays). */
function rawBytes(data: Float32Array | BigInt64Array): Uint8Array {
  if (littleEndian) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new DataView(new ArrayBuffer(data.byteLength));
  if (data instanceof Float32Array) data.forEach((v, i) => out.setFloat32(4 * i, v, true));
  else data.forEach((v, i) => out.setBigInt64(8 * i, v, true));
  return new Uint8Array(out.buffer);
}

function encodeAttribute(name: string, value: AttributeValue): OnnxAttribute {
  if ('int' in value) return { name, type: OnnxAttributeType.INT, i: value.int };
  if ('float' in value) return { name, type: OnnxAttributeType.FLOAT, f: value.float };
  if ('ints' in value) return { name, type: OnnxAttributeType.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: OnnxAttributeType.FLOATS, floats: [...value.floats] };
  return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value.string) };
}

/**
 * Collects the nodes, constants and names of one ONNX graph in topological order. Every value gets a
 * unique name; int64 constants with the same contents (shapes, axes) are stored once.
 */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: Initializer[] = [];
  private readonly names = new Set<string>();
  private readonly int64Constants = new Map<string, string>();
  private readonly byName = new Map<string, Initializer>();
  /** Static shapes of graph inputs, constants and node outputs, where known (all of them in a training graph). */
  private readonly shapes = new Map<string, readonly number[]>();
  private readonly floatScalars = new Map<number, string>();

  /** The static shape of a value, or undefined (a dynamic axis somewhere before it). */
  shapeOf(value: string): readonly number[] | undefined {
    return this.shapes.get(value);
  }

  /** The static shape of a value; throws naming the value when it is unknown. */
  shape(value: string): number[] {
    const s = this.shapes.get(value);
    if (!s) throw new Error(`ONNX graph: the shape of "${value}" is not known`);
    return [...s];
  }

  /** Records the static shape of a graph input. */
  setShape(value: string, dims: readonly number[]): void {
    this.shapes.set(value, [...dims]);
  }

  /** The values of an int64 constant (a shape, axes), or undefined for anything else. */
  int64Of(value: string): readonly number[] | undefined {
    const init = this.byName.get(value);
    return init && init.data instanceof BigInt64Array ? Array.from(init.data, Number) : undefined;
  }

  /** The constant tensor named `value`, if it is one. */
  initializer(value: string): Initializer | undefined {
    return this.byName.get(value);
  }

  /** A float32 scalar constant, shared by every use of the same value. */
  scalar(value: number): string {
    const key = Math.fround(value);
    let name = this.floatScalars.get(key);
    if (!name) {
      name = this.addFloat(`scalar_${String(value).replace(/[^0-9a-z]/gi, '_')}`, new Float32Array([value]), []).name;
      this.floatScalars.set(key, name);
    }
    return name;
  }

  /** `base`, or `base_1`, `base_2`, ... when taken. */
  uniqueName(base: string): string {
    let name = base;
    for (let k = 1; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  /** Reserves a name that must stay exactly as given (graph inputs and outputs). */
  reserve(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX graph: the name "${name}" is already used`);
    this.names.add(name);
    return name;
  }

  /** Adds a float32 initializer (a constant) of shape `dims`, named uniquely from `name`. */
  addFloat(name: string, data: Float32Array, dims: number[]): Initializer {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`ONNX constant ${name}: ${data.length} values do not fill dims [${dims}]`);
    const initializer = { name: this.uniqueName(name), dims, data };
    this.register(initializer);
    return initializer;
  }

  /** A 1-D int64 constant (a shape, axes, split sizes), shared by every use with the same values. */
  int64s(values: readonly number[], hint = 'const'): string {
    const key = values.join(',');
    const existing = this.int64Constants.get(key);
    if (existing) return existing;
    // Short constants are named after their values (readable in Netron), long ones after the hint.
    const label = values.length <= 8 ? `${hint}_${values.map((v) => (v < 0 ? `m${-v}` : v)).join('_')}` : hint;
    const initializer = { name: this.uniqueName(label), dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) };
    this.register(initializer);
    this.int64Constants.set(key, initializer.name);
    return initializer.name;
  }

  /** An int64 constant of any shape (gather / scatter indices); not shared. */
  addInt64(name: string, data: BigInt64Array, dims: number[]): Initializer {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`ONNX constant ${name}: ${data.length} values do not fill dims [${dims}]`);
    const initializer = { name: this.uniqueName(name), dims, data };
    this.register(initializer);
    return initializer;
  }

  private register(initializer: Initializer): void {
    this.initializers.push(initializer);
    this.byName.set(initializer.name, initializer);
    this.shapes.set(initializer.name, initializer.dims);
  }

  /** Appends a node with `outputCount` fresh outputs named after `name`; returns the output names. */
  addNode(opType: string, inputs: string[], name: string, attributes: Attributes = {}, outputCount = 1): string[] {
    const nodeName = this.uniqueName(`${name}/${opType}`);
    const outputs = Array.from({ length: outputCount }, (_, k) => this.uniqueName(outputCount === 1 ? `${nodeName}_output` : `${nodeName}_output_${k}`));
    const attribute = Object.entries(attributes).map(([key, value]) => encodeAttribute(key, value));
    const node: OnnxNode = { opType, input: inputs, output: outputs, name: nodeName, ...(attribute.length ? { attribute } : {}) };
    this.nodes.push(node);
    const shapes = inferOutputShapes(node, this);
    if (shapes) outputs.forEach((o, k) => shapes[k] && this.shapes.set(o, shapes[k]));
    return outputs;
  }

  /** `addNode` for the usual single-output op. */
  op(opType: string, inputs: string[], name: string, attributes: Attributes = {}): string {
    return this.addNode(opType, inputs, name, attributes, 1)[0];
  }

  /** Gives the value `from` (a node output) the name `to` everywhere: graph outputs get their public names. */
  renameValue(from: string, to: string): void {
    this.reserve(to);
    const shape = this.shapes.get(from);
    if (shape) this.shapes.set(to, shape);
    for (const node of this.nodes) {
      node.output = node.output.map((n) => (n === from ? to : n));
      node.input = node.input.map((n) => (n === from ? to : n));
    }
  }

  /** The initializers as TensorProtos (raw little-endian data). */
  tensorProtos(): OnnxTensor[] {
    return this.initializers.map(tensorProto);
  }
}

/** A constant as a TensorProto (raw little-endian data). */
export function tensorProto({ name, dims, data }: Initializer): OnnxTensor {
  return { name, dims, dataType: data instanceof Float32Array ? OnnxDataType.FLOAT : OnnxDataType.INT64, rawData: rawBytes(data) };
}

/** A graph input/output description: element type and shape (numbers, or names for dynamic axes). */
export function valueInfo(name: string, elemType: number, shape: Dim[]): OnnxValueInfo {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}
