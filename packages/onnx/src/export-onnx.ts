import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ConversionContext } from './conversion-context.js';
import { convertLayers, LAYER_CONVERTERS, unsupportedLayers } from './convert-layers.js';
import { OnnxGraphBuilder, tensorProto, valueInfo, type Dim } from './onnx-graph-builder.js';
import { encodeOnnxModel, OnnxDataType } from './onnx-proto.js';
import { optimizeForInference } from './passes/optimize-for-inference.js';

/** Options of `exportOnnx`. */
export interface ExportOnnxOptions {
  /** ONNX opset, 14 (HardSwish) to 23. Default 17. */
  opset?: number;
  /** 'nchw' (default): input `image` (N, C, H, W) and output (N, K, H, W), as the PyTorch model; 'nhwc': tfjs order. */
  layout?: 'nchw' | 'nhwc';
  /** 'logits' (default), 'probabilities' (softmax over classes) or 'labels' (argmax, int64 (N, H, W)); also the output's name. */
  output?: 'logits' | 'probabilities' | 'labels';
  /** The graph's name; default the tfjs model's name. */
  modelName?: string;
}

/** The opset `exportOnnx` writes by default. */
export const DEFAULT_OPSET = 17;
/** The lowest opset `exportOnnx` writes (HardSwish is opset 14). */
export const MIN_OPSET = 14;
/** The highest opset `exportOnnx` writes. */
export const MAX_OPSET = 23;

const PRODUCER = { name: '@levit-unet/onnx', version: '0.1.0' };

/** The tfjs layer class names `exportOnnx` converts (`layer.getClassName()`; InputLayer needs no converter). */
export const SUPPORTED_LAYER_CLASSES: readonly string[] = Object.keys(LAYER_CONVERTERS);

/** The lowest IR version that can carry an opset (onnx/onnx docs/Versioning.md). */
function irVersion(opset: number): number {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

/**
 * A tfjs segmentation model (NHWC image in, NHWC logits out) as a standard ONNX model: by default
 * input `image` (N, C, H, W) with a dynamic batch N and output `logits` (N, K, H, W), the signature of
 * the official PyTorch LeViT-UNet exported by torch.onnx. The converters emit canonical ops (Conv +
 * BatchNormalization, MatMul + Add, the same ones a training graph has); then the inference passes fold
 * BatchNorms into the preceding convolution or linear weights, kernels into OIHW constants and attention
 * biases into constant (heads, Nq, Nk) tables. Feature maps stay NCHW between layers. Browser-safe:
 * returns the model bytes.
 */
export function exportOnnx(model: LayersModel, options: ExportOnnxOptions = {}): Uint8Array {
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new Error(`exportOnnx: opset must be an integer from ${MIN_OPSET} (HardSwish) to ${MAX_OPSET}, got ${opset}`);
  }
  const layout = options.layout ?? 'nchw';
  const outputKind = options.output ?? 'logits';
  if (layout !== 'nchw' && layout !== 'nhwc') throw new Error(`exportOnnx: layout must be 'nchw' or 'nhwc', got '${String(layout)}'`);
  if (!['logits', 'probabilities', 'labels'].includes(outputKind)) {
    throw new Error(`exportOnnx: output must be 'logits', 'probabilities' or 'labels', got '${String(outputKind)}'`);
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`exportOnnx: model "${model.name}" must have one input and one output, has ${model.inputs.length} and ${model.outputs.length}`);
  }
  const unsupported = unsupportedLayers(model, LAYER_CONVERTERS);
  if (unsupported) {
    const { layer: l, count, others } = unsupported;
    throw new Error(
      `exportOnnx: layer "${l.name}" of class ${l.getClassName()} has no ONNX converter` +
        (count > 1 ? ` (nor ${count - 1} more: ${others.join(', ')})` : '') +
        `; supported: ${Object.keys(LAYER_CONVERTERS).join(', ')}`,
    );
  }

  const input = model.inputs[0];
  const [, h, w, c] = input.shape;
  if (input.shape.length !== 4 || h == null || w == null || c == null) {
    throw new Error(`exportOnnx: model "${model.name}" input must be an NHWC image [batch, H, W, C] with known H, W, C, got [${input.shape}]`);
  }
  const graph = new OnnxGraphBuilder();
  const ctx = new ConversionContext(graph, opset);
  const inputName = graph.reserve('image');
  // Shapes are inferred for a batch of 1; no converter bakes the batch into a constant, so N stays dynamic.
  graph.setShape(inputName, layout === 'nchw' ? [1, c, h, w] : [1, h, w, c]);

  const result = convertLayers(model, ctx, LAYER_CONVERTERS, { name: inputName, layout: layout === 'nchw' ? 'nchw' : 'native', shape: input.shape });

  // The public output: NCHW (or NHWC), then softmax / argmax over the class axis.
  let out = result.shape.length === 4 ? (layout === 'nchw' ? ctx.asNchw(result, 'output') : ctx.asNative(result, 'output')) : ctx.asNative(result, 'output');
  const classAxis = ctx.onnxAxis(out, -1);
  let elemType: number = OnnxDataType.FLOAT;
  if (outputKind === 'probabilities') {
    out = { ...out, name: graph.op('Softmax', [out.name], 'output', { axis: { int: classAxis } }) };
  } else if (outputKind === 'labels') {
    out = { ...out, name: graph.op('ArgMax', [out.name], 'output', { axis: { int: classAxis }, keepdims: { int: 0 } }) };
    elemType = OnnxDataType.INT64;
  }
  if (out.name === inputName) throw new Error(`exportOnnx: model "${model.name}" computes nothing (its output is its input)`);
  graph.renameValue(out.name, outputKind);

  const batch: Dim = 'N';
  const outShape = result.shape.map((d, i) => (i === 0 ? batch : (d ?? `d${i}`)));
  const onnxOutShape: Dim[] = out.layout === 'nchw' ? [outShape[0], outShape[3], outShape[1], outShape[2]] : outShape;
  if (outputKind === 'labels') onnxOutShape.splice(classAxis, 1);
  const inShape: Dim[] = layout === 'nchw' ? [batch, c, h, w] : [batch, h, w, c];
  const optimized = optimizeForInference({ nodes: [...graph.nodes], constants: new Map(graph.initializers.map((i) => [i.name, i])), outputs: [outputKind] });

  return encodeOnnxModel({
    irVersion: irVersion(opset),
    opsetImport: [{ domain: '', version: opset }],
    producerName: PRODUCER.name,
    producerVersion: PRODUCER.version,
    docString: `tfjs model "${model.name}" exported by ${PRODUCER.name}`,
    metadataProps: [
      { key: 'layout', value: layout },
      { key: 'output', value: outputKind },
    ],
    graph: {
      name: options.modelName ?? model.name,
      node: optimized.nodes,
      initializer: [...optimized.constants.values()].map(tensorProto),
      input: [valueInfo(inputName, OnnxDataType.FLOAT, inShape)],
      output: [valueInfo(outputKind, elemType, onnxOutShape)],
    },
  });
}
