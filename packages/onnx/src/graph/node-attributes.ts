import type { OnnxNode } from '../onnx-proto.js';

/** A node's attribute by name (undefined when absent). */
function find(node: OnnxNode, name: string) {
  return node.attribute?.find((a) => a.name === name);
}

export function attrInt(node: OnnxNode, name: string, fallback: number): number {
  const a = find(node, name);
  return a?.i != null ? Number(a.i) : fallback;
}

export function attrInts(node: OnnxNode, name: string): number[] | undefined {
  const a = find(node, name);
  return a?.ints ? a.ints.map(Number) : undefined;
}

export function attrFloat(node: OnnxNode, name: string, fallback: number): number {
  const a = find(node, name);
  return a?.f != null ? a.f : fallback;
}

export function attrString(node: OnnxNode, name: string, fallback: string): string {
  const a = find(node, name);
  return a?.s ? new TextDecoder().decode(a.s) : fallback;
}
