import type { LayerVariable, layers } from '@tensorflow/tfjs-layers';
import type { OnnxGraphBuilder } from './onnx-graph-builder.js';
import { emitResize } from './onnx-ops.js';

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

/** BatchNorm hyper-parameters: PyTorch's (ε 1e-5, momentum 0.1, unbiased running variance) or tfjs-layers' (ε 1e-3, keep 0.99, biased). */
export interface BatchNormSpec {
  epsilon: number;
  /** The weight of the batch statistic in the running update: new = (1 − w)·running + w·batch. */
  batchWeight: number;
  /** Running variance from the unbiased batch variance (PyTorch) or the biased one (tfjs-layers). */
  unbiasedRunning: boolean;
}

/** The weight keys of one BatchNorm inside a layer (γ and β may be absent, as in tfjs-layers with scale/center off). */
export interface BatchNormKeys {
  gamma?: string;
  beta?: string;
  mean: string;
  variance: string;
}

/** A weight's name within its layer: `c.weight`, `bn.running_var`, `kernel`, ... */
export function weightKey(layer: layers.Layer, weight: layers.Layer['weights'][number]): string {
  const prefix = `${layer.name}/`;
  const original = weight.originalName;
  return original.startsWith(prefix) ? original.slice(prefix.length) : original.slice(original.lastIndexOf('/') + 1);
}

/** The variable of `layer`'s weight `key`, with a clear error naming the layer when it is missing. */
export function layerVariable(layer: layers.Layer, key: string): LayerVariable {
  const variable = layer.weights.find((w) => weightKey(layer, w) === key);
  if (!variable) {
    throw new Error(`layer ${layer.name} (${layer.getClassName()}): no weight "${key}" (has ${layer.weights.map((w) => weightKey(layer, w)).join(', ') || 'none'})`);
  }
  return variable;
}

/**
 * The conversion context of an inference graph, and the base of the training one. Converters emit
 * canonical ops through it — Conv, MatMul + Add, BatchNormalization — with weights in their tfjs layout
 * (a Transpose makes an OIHW kernel); what differs between inference and training is behind the four
 * methods a training context overrides: where a weight comes from (a constant here, a graph input
 * there), BatchNorm (running statistics here, batch statistics there), drop-path (an identity here) and
 * bilinear resizing (ONNX Resize here, interpolation MatMuls there). Folding BatchNorms and constants is
 * a graph pass that inference export runs afterwards (`passes/`).
 *
 * Every value has a static shape: an inference graph is built for a batch of 1 (its reshapes copy the
 * batch axis, so the exported model takes any batch), a training graph for its fixed batch size.
 */
export class ConversionContext {
  private readonly transposes = new Map<string, OnnxValue>();
  private readonly constants = new Map<LayerVariable, string>();

  constructor(
    readonly graph: OnnxGraphBuilder,
    readonly opset: number,
  ) {}

  /** The value holding `layer`'s weight `key` (`c.weight`, `bn.running_var`, `kernel`, ...) in its tfjs layout: here a constant (a copy of its contents). */
  weight(layer: layers.Layer, key: string): string {
    const variable = layerVariable(layer, key);
    let name = this.constants.get(variable);
    if (!name) {
      const data = Float32Array.from(variable.read().dataSync() as Float32Array);
      name = this.graph.addFloat(variable.originalName, data, variable.shape as number[]).name;
      this.constants.set(variable, name);
    }
    return name;
  }

  /**
   * BatchNorm over the channel axis (axis 1 of an NCHW map, the last axis of tokens and vectors) with its
   * running statistics: one ONNX BatchNormalization, on a (B, C, …) view of channel-last values (a
   * Transpose either side, as torch.onnx exports BatchNorm1d over tokens). γ = 1 and β = 0 where absent.
   */
  batchNorm(x: OnnxValue, layer: layers.Layer, keys: BatchNormKeys, spec: BatchNormSpec, name: string): OnnxValue {
    const g = this.graph;
    const shape = g.shape(x.name);
    const rank = shape.length;
    const channelsFirst = x.layout === 'nchw' || rank === 2;
    const channels = shape[channelsFirst ? 1 : rank - 1]!;
    const toFront = [0, rank - 1, ...shape.slice(1, -1).map((_, i) => i + 1)];
    const toBack = [0, ...shape.slice(2).map((_, i) => i + 2), 1];
    const input = channelsFirst ? x.name : g.op('Transpose', [x.name], name, { perm: { ints: toFront } });
    const filled = (key: string | undefined, value: number) => (key ? this.weight(layer, key) : g.addFloat(`${name}.${value === 1 ? 'gamma' : 'beta'}`, new Float32Array(channels).fill(value), [channels]).name);
    const inputs = [input, filled(keys.gamma, 1), filled(keys.beta, 0), this.weight(layer, keys.mean), this.weight(layer, keys.variance)];
    const y = g.op('BatchNormalization', inputs, name, { epsilon: { float: spec.epsilon } });
    return { name: channelsFirst ? y : g.op('Transpose', [y], name, { perm: { ints: toBack } }), layout: x.layout, shape: x.shape };
  }

  /** The residual branch of a drop-path layer with rate `rate`: at inference, the branch itself. */
  dropPath(branch: string, _rate: number, _layerName: string): string {
    return branch;
  }

  /** Bilinear resize of a feature map to `outSize` (align_corners or tfjs' asymmetric rule): ONNX Resize, as torch.onnx exports it. */
  resizeBilinear(input: OnnxValue, outSize: [number, number], alignCorners: boolean, name: string): OnnxValue {
    return emitResize(this, input, outSize, { mode: 'linear', coordinates: alignCorners ? 'align_corners' : 'asymmetric' }, name);
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
