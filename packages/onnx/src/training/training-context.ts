import type { LayerVariable, layers } from '@tensorflow/tfjs-layers';
import { ConversionContext, layerVariable, type BatchNormKeys, type BatchNormSpec, type OnnxValue } from '../conversion-context.js';
import { batchNormGradient } from '../gradients/batch-norm-grad.js';
import type { CompositeGradient } from '../gradients/composite-gradient.js';
import type { OnnxGraphBuilder } from '../onnx-graph-builder.js';
import { emitBilinearMatMul } from './bilinear-matmul.js';

/** A model variable fed to the training graph as an input (in its tfjs layout). */
export interface GraphParameter {
  /** The graph input's name (the variable's original name: `<layer>/<key>`). */
  name: string;
  variable: LayerVariable;
  dims: number[];
  /** Trainable weights get gradients and optimizer updates; BatchNorm running statistics get their update. */
  trainable: boolean;
}

/** A BatchNorm running statistic and the graph value holding its updated contents. */
export interface RunningStatisticUpdate {
  parameter: GraphParameter;
  updated: string;
}

/** A drop-path residual: the graph input holding its per-sample keep mask (0 or 1/(1 − p)), shape (B, 1, 1). */
export interface DropPathInput {
  name: string;
  layerName: string;
  rate: number;
  dims: number[];
}

/**
 * The conversion context of a training graph: weights are graph inputs (not constants), BatchNorms
 * normalise with batch statistics and emit their running-statistic updates, drop-path masks are inputs.
 * Every value has a static shape (the batch size is fixed), which the gradient rules need.
 */
export class TrainingContext extends ConversionContext {
  readonly parameters: GraphParameter[] = [];
  readonly runningUpdates: RunningStatisticUpdate[] = [];
  readonly dropPaths: DropPathInput[] = [];
  /** Closed-form gradients of groups of nodes (each training BatchNorm), for `buildGradients`. */
  readonly composites: CompositeGradient[] = [];
  private readonly byVariable = new Map<LayerVariable, GraphParameter>();

  constructor(
    graph: OnnxGraphBuilder,
    opset: number,
    readonly batchSize: number,
  ) {
    super(graph, opset);
  }

  /** A weight is a graph input (its variable's original name), so the runtime feeds and updates it. */
  override weight(layer: layers.Layer, key: string): string {
    return this.parameter(layer, key).name;
  }

  /** The graph input of `layer`'s weight `key` (`c.weight`, `bn.running_var`, ...), created on first use. */
  parameter(layer: layers.Layer, key: string): GraphParameter {
    const variable = layerVariable(layer, key);
    const existing = this.byVariable.get(variable);
    if (existing) return existing;
    const dims = variable.shape as number[];
    const parameter: GraphParameter = { name: this.graph.reserve(variable.originalName), variable, dims, trainable: variable.trainable };
    this.graph.setShape(parameter.name, dims);
    this.parameters.push(parameter);
    this.byVariable.set(variable, parameter);
    return parameter;
  }

  /**
   * BatchNorm on batch statistics over every axis but the channel axis (axis 1 of an NCHW map, the
   * last axis of tokens): y = (x − μ)·γ/√(σ² + ε) + β with the biased σ², plus the running updates.
   * `prefix` names the weights: `<prefix>weight`, `bias`, `running_mean`, `running_var` (or tfjs-layers'
   * gamma/beta/moving_mean/moving_variance via `keys`).
   */
  override batchNorm(x: OnnxValue, layer: layers.Layer, keys: BatchNormKeys, spec: BatchNormSpec, name: string): OnnxValue {
    const g = this.graph;
    const shape = g.shape(x.name);
    const channelAxis = x.layout === 'nchw' ? 1 : shape.length - 1;
    const channels = shape[channelAxis]!;
    const axes = shape.map((_, i) => i).filter((i) => i !== channelAxis);
    const count = axes.reduce((n, a) => n * shape[a]!, 1);
    if (count <= 1) throw new Error(`layer ${layer.name}: BatchNorm in training needs more than 1 value per channel, got input shape [${shape}] (as PyTorch)`);
    const perChannel = shape.map((d, i) => (i === channelAxis ? d : 1));
    const broadcastable = (p: string) => (x.layout === 'nchw' ? g.op('Reshape', [p, g.int64s(perChannel.slice(1), 'shape')], name) : p);
    // One axis at a time, innermost first: float32 sums of ≤ 224 terms instead of one of up to 400 000
    // (PyTorch sums blockwise; one long sum moves the step-1 loss by ~1e-6).
    const start = g.nodes.length;
    const meanOver = (v: string) => [...axes].reverse().reduce((acc, axis) => g.op('ReduceMean', [acc], name, { axes: { ints: [axis] }, keepdims: { int: 1 } }), v);
    const mean = meanOver(x.name);
    const centred = g.op('Sub', [x.name, mean], name);
    const variance = meanOver(g.op('Mul', [centred, centred], name));
    const inverseStd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.scalar(spec.epsilon)], name)], name)], name);
    const gamma = keys.gamma ? this.parameter(layer, keys.gamma).name : undefined;
    const beta = keys.beta ? this.parameter(layer, keys.beta).name : undefined;
    const scale = gamma ? g.op('Mul', [inverseStd, broadcastable(gamma)], name) : inverseStd;
    let y = g.op('Mul', [centred, scale], name);
    if (beta) y = g.op('Add', [y, broadcastable(beta)], name);
    const values = { x: x.name, centred, inverseStd, scale, axes, count, channels, ...(gamma ? { gamma } : {}), ...(beta ? { beta } : {}) };
    this.composites.push(batchNormGradient(values, y, new Set(g.nodes.slice(start))));

    const flat = g.int64s([channels], 'shape');
    const update = (key: string, batch: string, factor: number) => {
      const parameter = this.parameter(layer, key);
      const decayed = g.op('Mul', [parameter.name, g.scalar(1 - spec.batchWeight)], name);
      const fresh = g.op('Mul', [g.op('Reshape', [batch, flat], name), g.scalar(spec.batchWeight * factor)], name);
      this.runningUpdates.push({ parameter, updated: g.op('Add', [decayed, fresh], name) });
    };
    update(keys.mean, mean, 1);
    update(keys.variance, variance, spec.unbiasedRunning ? count / (count - 1) : 1);
    return { name: y, layout: x.layout, shape: x.shape };
  }

  /** branch·mask with a per-sample keep mask input (0 or 1/(1 − p)), as timm's drop_path in training. */
  override dropPath(branch: string, rate: number, layerName: string): string {
    if (rate <= 0) return branch;
    const dims = [this.batchSize, ...new Array<number>(this.graph.shape(branch).length - 1).fill(1)];
    const mask = this.graph.reserve(`${layerName}.drop_path_mask`);
    this.graph.setShape(mask, dims);
    this.dropPaths.push({ name: mask, layerName, rate, dims });
    return this.graph.op('Mul', [branch, mask], layerName);
  }

  /** Bilinear resize as interpolation MatMuls: their gradient is the transposed MatMuls (standard ONNX has no Resize gradient). */
  override resizeBilinear(input: OnnxValue, outSize: [number, number], alignCorners: boolean, name: string): OnnxValue {
    return emitBilinearMatMul(this, input, outSize, alignCorners, name);
  }
}
