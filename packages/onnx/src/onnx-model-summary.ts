import { decodeOnnxModel, OnnxDataType, type OnnxDimension, type OnnxValueInfo } from './onnx-proto.js';

/** A graph input or output: name, element type name and shape (numbers, or names of dynamic axes). */
export interface OnnxSignatureEntry {
  name: string;
  elemType: string;
  shape: Array<number | string>;
}

/** What `summarizeOnnxModel` reads from a model: versions, producer, signature, operators. */
export interface OnnxModelSummary {
  irVersion: number;
  opset: number;
  producer: string;
  graphName: string;
  inputs: OnnxSignatureEntry[];
  outputs: OnnxSignatureEntry[];
  /** Nodes per op type, e.g. { Conv: 12, MatMul: 71, ... }. */
  opCounts: Record<string, number>;
  nodeCount: number;
  /** Elements of all initializers (weights and constants). */
  initializerElements: number;
  metadata: Record<string, string>;
}

const ELEM_TYPES: Record<number, string> = { [OnnxDataType.FLOAT]: 'float32', [OnnxDataType.INT32]: 'int32', [OnnxDataType.INT64]: 'int64' };

function dimension(d: OnnxDimension): number | string {
  if (d.dimParam) return d.dimParam;
  const v = d.dimValue;
  return v == null ? '?' : typeof v === 'number' ? v : v.toNumber();
}

function signature(info: OnnxValueInfo): OnnxSignatureEntry {
  const tensor = info.type?.tensorType;
  return {
    name: info.name,
    elemType: ELEM_TYPES[tensor?.elemType] ?? `onnx type ${tensor?.elemType}`,
    shape: (tensor?.shape?.dim ?? []).map(dimension),
  };
}

/** What an ONNX model (ours or any exporter's) contains: signature, opset, nodes per op type. */
export function summarizeOnnxModel(bytes: Uint8Array): OnnxModelSummary {
  const model = decodeOnnxModel(bytes);
  if (!model.graph) throw new Error('not an ONNX model: it has no graph');
  const initializerNames = new Set(model.graph.initializer.map((t) => t.name));
  const opCounts: Record<string, number> = {};
  for (const node of model.graph.node) opCounts[node.opType] = (opCounts[node.opType] ?? 0) + 1;
  const defaultOpset = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  return {
    irVersion: model.irVersion,
    opset: defaultOpset ? Number(defaultOpset.version) : 0,
    producer: `${model.producerName} ${model.producerVersion}`.trim(),
    graphName: model.graph.name,
    // Older exporters also list initializers as graph inputs: only the real inputs count.
    inputs: model.graph.input.filter((i) => !initializerNames.has(i.name)).map(signature),
    outputs: model.graph.output.map(signature),
    opCounts,
    nodeCount: model.graph.node.length,
    initializerElements: model.graph.initializer.reduce((sum, t) => sum + t.dims.reduce((a: number, b) => a * Number(b), 1), 0),
    metadata: Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key, p.value])),
  };
}
