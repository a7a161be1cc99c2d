import type { LayersModel } from '@tensorflow/tfjs-layers';
import { convertLayers, LAYER_CONVERTERS, unsupportedLayers } from '../convert-layers.js';
import { buildGradients } from '../gradients/build-gradients.js';
import type { GradientFormulations } from '../gradients/gradient-rule.js';
import type { LayerConverter } from '../layer-converter.js';
import { OnnxGraphBuilder, valueInfo } from '../onnx-graph-builder.js';
import { encodeOnnxModel, OnnxDataType } from '../onnx-proto.js';
import { emitAdam } from './adam-graph.js';
import type { OptimizerGraph } from './optimizer-graph.js';
import { emitSgd } from './sgd-graph.js';
import { TrainingContext, type DropPathInput, type GraphParameter } from './training-context.js';
import { emitTransUNetLoss } from './transunet-loss-graph.js';

/** An optimizer as data, as @levit-unet/training's `OptimizerConfig` (PyTorch's hyper-parameters and defaults). */
export type TrainingOptimizerConfig =
  | { name: 'adam'; betas?: [number, number]; eps?: number; weightDecay?: number }
  | { name: 'sgd'; momentum?: number; dampening?: number; nesterov?: boolean; weightDecay?: number };

/** Options of `buildTrainingGraph`: batch size, optimizer, loss weights and gradient formulations. */
export interface TrainingGraphOptions {
  /** The batch size B the graph is built for (every shape is static). */
  batchSize: number;
  optimizer: TrainingOptimizerConfig;
  /** [ce, dice] weights; default TransUNet's [0.5, 0.5]. */
  lossWeights?: readonly [number, number];
  /** Gradient formulations where a rule has several (default: the fastest measured, see the README). */
  formulations?: Partial<GradientFormulations>;
}

/** One whole TransUNet training iteration as an ONNX model, and the names of its inputs and outputs. */
export interface TrainingGraph {
  bytes: Uint8Array;
  batchSize: number;
  /** [H, W, C] of the model input. */
  imageShape: [number, number, number];
  numClasses: number;
  /** Input `image` (B, C, H, W) and `labels_onehot` (B, K, H, W), float32. */
  inputs: { image: string; labels: string };
  /** Every model variable the graph reads, in order of first use. */
  parameters: GraphParameter[];
  /** Trainable weight input → its updated value (output). */
  updatedWeights: Map<string, string>;
  /** Running-statistic input → its updated value (output). */
  updatedStatistics: Map<string, string>;
  optimizer: OptimizerGraph;
  dropPaths: DropPathInput[];
  /** Scalar outputs, and (P) squared gradient norms of the trainable weights in `parameters` order. */
  outputs: { loss: string; ce: string; dice: string; gradSquaredNorms: string };
  /** Node counts per op type (for the README and profiles). */
  opCounts: Record<string, number>;
}

/**
 * Layers that convert for inference only: dropout and noise layers are identities there but random in
 * training, and Resize / pooling have no gradient rule here.
 */
const INFERENCE_ONLY = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'UpSampling2D', 'MaxPooling2D', 'AveragePooling2D']);

/** Every layer class a training graph converts, by tfjs class name (the same converters as inference export). */
const TRAINING_CONVERTERS: Readonly<Record<string, LayerConverter>> = Object.fromEntries(Object.entries(LAYER_CONVERTERS).filter(([name]) => !INFERENCE_ONLY.has(name)));

/** The tfjs layer class names `buildTrainingGraph` converts. */
export const TRAINABLE_LAYER_CLASSES: readonly string[] = Object.keys(TRAINING_CONVERTERS);

/** The opset of training graphs. */
export const TRAINING_OPSET = 17;

/**
 * Builds one ONNX graph for a whole TransUNet training iteration of a tfjs segmentation model made of
 * this project's layers: forward in training mode (BatchNorm on batch statistics with the running
 * update, drop-path masks as inputs), TransUNet's loss, the backward pass (one gradient rule per op
 * type) and PyTorch's Adam or SGD. Weights, running statistics and optimizer buffers are inputs and
 * their next values are outputs, so a runtime keeps them between steps. Standard ONNX ops only.
 */
export function buildTrainingGraph(model: LayersModel, options: TrainingGraphOptions): TrainingGraph {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`buildTrainingGraph: batchSize must be a positive integer, got ${batchSize}`);
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`buildTrainingGraph: model "${model.name}" must have one input and one output, has ${model.inputs.length} and ${model.outputs.length}`);
  }
  const unsupported = unsupportedLayers(model, TRAINING_CONVERTERS);
  if (unsupported) {
    const { layer } = unsupported;
    throw new Error(
      `the onnxruntime training engine cannot train layer "${layer.name}" of class ${layer.getClassName()}` +
        (unsupported.count > 1 ? ` (nor ${unsupported.count - 1} more${unsupported.others.length ? `: ${unsupported.others.join(', ')}` : ''})` : '') +
        `; --engine tfjs trains it (supported here: ${TRAINABLE_LAYER_CLASSES.join(', ')})`,
    );
  }
  const [, h, w, c] = model.inputs[0]!.shape;
  const outShape = model.outputs[0]!.shape;
  const numClasses = outShape[3];
  if (h == null || w == null || c == null || outShape.length !== 4 || numClasses == null) {
    throw new Error(`buildTrainingGraph: model "${model.name}" must map NHWC images with known H, W, C to NHWC logits, got [${model.inputs[0]!.shape}] → [${outShape}]`);
  }
  const graph = new OnnxGraphBuilder();
  const ctx = new TrainingContext(graph, TRAINING_OPSET, batchSize);
  const image = graph.reserve('image');
  graph.setShape(image, [batchSize, c, h, w]);
  const labels = graph.reserve('labels_onehot');
  graph.setShape(labels, [batchSize, numClasses, h, w]);

  const result = convertLayers(model, ctx, TRAINING_CONVERTERS, { name: image, layout: 'nchw', shape: model.inputs[0]!.shape });
  const logits = ctx.asNchw(result, 'output');
  const loss = emitTransUNetLoss(graph, logits.name, labels, options.lossWeights ?? [0.5, 0.5]);

  const trainable = ctx.parameters.filter((p) => p.trainable);
  const grads = buildGradients(graph, loss.loss, trainable.map((p) => p.name), options.formulations, ctx.composites);
  const norms = trainable.map((p) => graph.op('Reshape', [graph.op('ReduceSumSquare', [grads.get(p.name)!], `${p.name}/norm`, { keepdims: { int: 0 } }), graph.int64s([1], 'shape')], `${p.name}/norm`));
  const gradSquaredNorms = norms.length > 0 ? graph.op('Concat', norms, 'grad_norms', { axis: { int: 0 } }) : graph.addFloat('grad_norms', new Float32Array(0), [0]).name;

  const optimizerParameters = trainable.map((p) => ({ name: p.name, dims: p.dims, grad: grads.get(p.name)! }));
  const config = options.optimizer;
  let optimizer: OptimizerGraph;
  if (config.name === 'adam') {
    optimizer = emitAdam(graph, optimizerParameters, { betas: config.betas ?? [0.9, 0.999], eps: config.eps ?? 1e-8, weightDecay: config.weightDecay ?? 0 });
  } else if (config.name === 'sgd') {
    optimizer = emitSgd(graph, optimizerParameters, { momentum: config.momentum ?? 0, dampening: config.dampening ?? 0, nesterov: config.nesterov ?? false, weightDecay: config.weightDecay ?? 0 });
  } else {
    throw new Error(`buildTrainingGraph: unknown optimizer "${(config as { name: string }).name}": expected adam or sgd`);
  }

  const floatInput = (name: string) => valueInfo(name, OnnxDataType.FLOAT, graph.shape(name));
  const updatedStatistics = new Map(ctx.runningUpdates.map((u) => [u.parameter.name, u.updated]));
  const outputs = [loss.loss, loss.ce, loss.dice, gradSquaredNorms, ...optimizer.updated.values(), ...optimizer.slots.map((s) => s.output), ...updatedStatistics.values()];
  const inputs = [image, labels, ...ctx.parameters.map((p) => p.name), ...optimizer.scalarInputs, ...optimizer.slots.map((s) => s.input), ...ctx.dropPaths.map((d) => d.name)];
  const opCounts: Record<string, number> = {};
  for (const node of graph.nodes) opCounts[node.opType] = (opCounts[node.opType] ?? 0) + 1;
  const bytes = encodeOnnxModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: TRAINING_OPSET }],
    producerName: '@levit-unet/onnx',
    producerVersion: '0.1.0',
    docString: `TransUNet training iteration of tfjs model "${model.name}" (batch ${batchSize}, ${config.name})`,
    graph: {
      name: `${model.name}_training_step`,
      node: graph.nodes,
      initializer: graph.tensorProtos(),
      input: inputs.map(floatInput),
      output: outputs.map(floatInput),
    },
  });
  return {
    bytes,
    batchSize,
    imageShape: [h, w, c],
    numClasses,
    inputs: { image, labels },
    parameters: ctx.parameters,
    updatedWeights: optimizer.updated,
    updatedStatistics,
    optimizer,
    dropPaths: ctx.dropPaths,
    outputs: { ...loss, gradSquaredNorms },
    opCounts,
  };
}
