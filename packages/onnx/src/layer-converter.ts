import type { layers } from '@tensorflow/tfjs-layers';
import type { ConversionContext, OnnxValue } from './conversion-context.js';

/** What a converter learns about one call of a layer: its ONNX inputs and the tfjs shapes of its outputs. */
export interface LayerCall {
  inputs: OnnxValue[];
  outputShapes: Array<Array<number | null>>;
}

/** Emits the ONNX nodes of one layer call; returns one value per layer output. */
export type LayerConverter = (layer: layers.Layer, call: LayerCall, ctx: ConversionContext) => OnnxValue[];

/** The single input of a call, with a clear error for several. */
export function onlyInput(layer: layers.Layer, call: LayerCall): OnnxValue {
  if (call.inputs.length !== 1) {
    throw new Error(`layer ${layer.name} (${layer.getClassName()}): expected one input, got ${call.inputs.length}`);
  }
  return call.inputs[0];
}

/** A layer's configuration (`getConfig()`), typed loosely: converters check what they read. */
export function layerConfig(layer: layers.Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}
