import { BN_EPSILON } from '@levit-unet/levit-blocks';
import type { DecoderBlock, SegmentationHead } from '@levit-unet/unet-decoder';
import type { layers } from '@tensorflow/tfjs-layers';
import { batchNormScaleShift, foldedBias, hwioToOihw } from './batch-norm-folding.js';
import { readLayerWeights, weight, type ConversionContext, type LayerWeights, type OnnxValue } from './conversion-context.js';
import { onlyInput, type LayerConverter } from './layer-converter.js';
import { emitConv, emitResize } from './onnx-ops.js';

/** 3×3 conv (no bias) + BatchNorm2d + ReLU of a DecoderBlock (`conv1`, `conv2`): one Conv with the BN folded, one Relu. */
function convBNReLU(ctx: ConversionContext, x: OnnxValue, weights: LayerWeights, prefix: string, layer: layers.Layer, outShape: Array<number | null>): OnnxValue {
  const kernel = weight(weights, `${prefix}.0.weight`, layer);
  const bn = batchNormScaleShift(
    weight(weights, `${prefix}.1.running_mean`, layer).data,
    weight(weights, `${prefix}.1.running_var`, layer).data,
    BN_EPSILON,
    weight(weights, `${prefix}.1.weight`, layer).data,
    weight(weights, `${prefix}.1.bias`, layer).data,
  );
  const [kh, kw, ci, co] = kernel.shape;
  return emitConv(
    ctx,
    x,
    { weight: hwioToOihw(kernel.data, kernel.shape, bn.scale), weightDims: [co, ci, kh, kw], bias: foldedBias(bn), strides: [1, 1], pads: [1, 1, 1, 1], activation: 'relu' },
    `${layer.name}.${prefix}`,
    outShape,
  );
}

/** DecoderBlock: bilinear ×scale (align_corners), then twice [Conv (BN folded), Relu]. */
const decoderBlock: LayerConverter = (layer, call, ctx) => {
  const block = layer as unknown as DecoderBlock;
  const x = onlyInput(layer, call);
  const [, h, w] = x.shape;
  if (h == null || w == null) throw new Error(`layer ${layer.name} (${layer.getClassName()}): input height and width must be known, got [${x.shape}]`);
  const weights = readLayerWeights(layer);
  const up = emitResize(ctx, x, [h * block.scale, w * block.scale], { mode: 'linear', coordinates: 'align_corners' }, layer.name);
  const outShape = call.outputShapes[0];
  return [convBNReLU(ctx, convBNReLU(ctx, up, weights, 'conv1', layer, outShape), weights, 'conv2', layer, outShape)];
};

/** SegmentationHead: k×k Conv with bias (padding k // 2), then bilinear ×upsampling (align_corners). */
const segmentationHead: LayerConverter = (layer, call, ctx) => {
  const head = layer as unknown as SegmentationHead;
  const x = onlyInput(layer, call);
  const weights = readLayerWeights(layer);
  const kernel = weight(weights, '0.weight', layer);
  const [kh, kw, ci, co] = kernel.shape;
  const p = Math.floor(head.kernelSize / 2);
  const [, h, w] = x.shape;
  const logits = emitConv(
    ctx,
    x,
    { weight: hwioToOihw(kernel.data, kernel.shape), weightDims: [co, ci, kh, kw], bias: weight(weights, '0.bias', layer).data.slice(), strides: [1, 1], pads: [p, p, p, p] },
    `${layer.name}.0`,
    [x.shape[0], h, w, co],
  );
  if (head.upsampling === 1) return [logits];
  const [, outH, outW] = call.outputShapes[0];
  return [emitResize(ctx, logits, [outH as number, outW as number], { mode: 'linear', coordinates: 'align_corners' }, layer.name)];
};

/** The @levit-unet/unet-decoder layers, by tfjs class name. */
export const UNET_DECODER_CONVERTERS: Record<string, LayerConverter> = {
  LeViTUNetDecoderBlock: decoderBlock,
  LeViTUNetSegmentationHead: segmentationHead,
};
