import type { layers } from '@tensorflow/tfjs-layers';
import type { Initializer, OnnxGraphBuilder } from './onnx-graph-builder.js';

/**
 * Where a tfjs tensor lives in the ONNX graph. tfjs feature maps are NHWC; in ONNX, rank-4 maps are
 * kept NCHW (what Conv and Resize take, and what the PyTorch model's graph has), so a value records
 * whether it is stored `nchw` (a transposed rank-4 NHWC tensor) or `native` (tfjs axis order: tokens,
 * vectors, or a rank-4 map not yet transposed).
 */
export interface OnnxValue {
  name: string;
  layout: 'nchw' | 'native';
  /** The tfjs (NHWC) shape, batch axis null. */
  shape: Array<number | null>;
}

/** A layer's weights, by the name after `<layer name>/` (`c.weight`, `bn.running_var`, `kernel`, ...). */
export type LayerWeights = Map<string, { data: Float32Array; shape: number[] }>;

/** A Conv whose output only feeds one BatchNorm: that BatchNorm is folded into these constants. */
export interface FoldableConv {
  weight: Initializer;
  bias: Initializer;
}

export class ConversionContext {
  private readonly transposes = new Map<string, OnnxValue>();
  /** Conv outputs whose only consumer may fold into them, keyed by ONNX value name. */
  readonly foldableConvs = new Map<string, FoldableConv>();
  /** How many tfjs layer calls (plus the model output) read each ONNX value. */
  private readonly uses = new Map<string, number>();

  constructor(
    readonly graph: OnnxGraphBuilder,
    readonly opset: number,
  ) {}

  addUses(name: string, count: number): void {
    this.uses.set(name, (this.uses.get(name) ?? 0) + count);
  }

  useCount(name: string): number {
    return this.uses.get(name) ?? 0;
  }

  /** `value` in NCHW (rank 4 only): one Transpose, emitted once per value. */
  asNchw(value: OnnxValue, layerName: string): OnnxValue {
    if (value.layout === 'nchw') return value;
    if (value.shape.length !== 4) {
      throw new Error(`layer ${layerName}: expected an NHWC feature map (rank 4), got shape [${value.shape}]`);
    }
    return this.transposed(value, 'nchw', [0, 3, 1, 2], layerName);
  }

  /** `value` in tfjs axis order. */
  asNative(value: OnnxValue, layerName: string): OnnxValue {
    if (value.layout === 'native') return value;
    return this.transposed(value, 'native', [0, 2, 3, 1], layerName);
  }

  /** Both in one layout (NCHW if either is), for elementwise ops. */
  sameLayout(values: OnnxValue[], layerName: string): OnnxValue[] {
    const nchw = values.some((v) => v.layout === 'nchw');
    return values.map((v) => (nchw ? this.asNchw(v, layerName) : this.asNative(v, layerName)));
  }

  private transposed(value: OnnxValue, layout: OnnxValue['layout'], perm: number[], layerName: string): OnnxValue {
    const key = `${value.name}:${layout}`;
    let result = this.transposes.get(key);
    if (!result) {
      result = { name: this.graph.op('Transpose', [value.name], layerName, { perm: { ints: perm } }), layout, shape: value.shape };
      this.transposes.set(key, result);
    }
    return result;
  }

  /** The axis of a tfjs axis (negative allowed) in `value`'s ONNX layout. */
  onnxAxis(value: OnnxValue, tfAxis: number): number {
    const rank = value.shape.length;
    const axis = tfAxis < 0 ? tfAxis + rank : tfAxis;
    if (value.layout === 'native') return axis;
    return [0, 2, 3, 1][axis];
  }
}

/** A weight's name within its layer: `c.weight`, `bn.running_var`, `kernel`, ... */
export function weightKey(layer: layers.Layer, weight: layers.Layer['weights'][number]): string {
  const prefix = `${layer.name}/`;
  const original = weight.originalName;
  return original.startsWith(prefix) ? original.slice(prefix.length) : original.slice(original.lastIndexOf('/') + 1);
}

/** Reads a layer's weights into Float32Arrays (one synchronous download per weight). */
export function readLayerWeights(layer: layers.Layer): LayerWeights {
  const out: LayerWeights = new Map();
  for (const weight of layer.weights) {
    if (weight.dtype !== 'float32') continue; // num_batches_tracked: unused at inference
    out.set(weightKey(layer, weight), { data: weight.read().dataSync() as Float32Array, shape: weight.shape as number[] });
  }
  return out;
}

/** One weight, with a clear error naming the layer when it is missing. */
export function weight(weights: LayerWeights, key: string, layer: layers.Layer): { data: Float32Array; shape: number[] } {
  const found = weights.get(key);
  if (!found) {
    throw new Error(`layer ${layer.name} (${layer.getClassName()}): no weight "${key}" (has ${[...weights.keys()].join(', ') || 'none'})`);
  }
  return found;
}
