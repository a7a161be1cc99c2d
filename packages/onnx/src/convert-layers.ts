import type { LayersModel, SymbolicTensor, layers } from '@tensorflow/tfjs-layers';
import type { ConversionContext, OnnxValue } from './conversion-context.js';
import { KERAS_CONVERTERS } from './keras-converters.js';
import type { LayerConverter } from './layer-converter.js';
import { LEVIT_CONVERTERS } from './levit-converters.js';
import { UNET_DECODER_CONVERTERS } from './unet-decoder-converters.js';

/** Every layer class this package converts, by tfjs class name: one converter each, for inference and training graphs alike. */
export const LAYER_CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  ...KERAS_CONVERTERS,
  ...LEVIT_CONVERTERS,
  ...UNET_DECODER_CONVERTERS,
};

/** tfjs' per-call bookkeeping of a layer (not in its public typings). */
interface LayerNode {
  inputTensors: SymbolicTensor[];
  outputTensors: SymbolicTensor[];
}

function nodesOf(layer: layers.Layer): LayerNode[] {
  return (layer as unknown as { inboundNodes: LayerNode[] }).inboundNodes;
}

/** The first layer (and how many more) of `model` without a converter in `converters`; null when all have one. */
export function unsupportedLayers(model: LayersModel, converters: Readonly<Record<string, LayerConverter>>): { layer: layers.Layer; others: string[]; count: number } | null {
  const unsupported = model.layers.filter((l) => l.getClassName() !== 'InputLayer' && !(l.getClassName() in converters));
  if (unsupported.length === 0) return null;
  return { layer: unsupported[0]!, others: [...new Set(unsupported.slice(1).map((u) => u.getClassName()))], count: unsupported.length };
}

/**
 * Emits every layer call of a single-input, single-output model into `ctx`'s graph in topological
 * order (a call runs once all its inputs have ONNX values), starting from `input`; returns the ONNX
 * value of the model's output. Shared by inference export and the training graph.
 */
export function convertLayers(model: LayersModel, ctx: ConversionContext, converters: Readonly<Record<string, LayerConverter>>, input: OnnxValue): OnnxValue {
  const outputId = model.outputs[0]!.id;
  const values = new Map<number, OnnxValue>();
  const setValue = (t: SymbolicTensor, v: OnnxValue) => values.set(t.id, v);
  setValue(model.inputs[0]!, input);
  const pending = model.layers.flatMap((layer) => (layer.getClassName() === 'InputLayer' ? [] : nodesOf(layer).map((node) => ({ layer, node }))));
  let progress = true;
  while (!values.has(outputId) && progress) {
    progress = false;
    for (const { layer, node } of pending) {
      if (node.outputTensors.every((t) => values.has(t.id)) || !node.inputTensors.every((t) => values.has(t.id))) continue;
      const inputs = node.inputTensors.map((t) => values.get(t.id) as OnnxValue);
      const outputs = converters[layer.getClassName()]!(layer, { inputs, outputShapes: node.outputTensors.map((t) => t.shape) }, ctx);
      node.outputTensors.forEach((t, k) => setValue(t, outputs[k]!));
      progress = true;
    }
  }
  const result = values.get(outputId);
  if (!result) throw new Error(`model "${model.name}": its output is not reachable from its input through its layers`);
  return result;
}
