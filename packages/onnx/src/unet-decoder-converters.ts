import type { DecoderBlock, SegmentationHead } from '@levit-unet/unet-decoder';
import type { OnnxValue } from './conversion-context.js';
import { onlyInput, type LayerConverter } from './layer-converter.js';
import { emitConv, TORCH_BATCH_NORM, torchBatchNormKeys } from './onnx-ops.js';

/** DecoderBlock: bilinear ×scale (align_corners), then twice [3×3 Conv (no bias), BatchNorm2d, Relu]. */
const decoderBlock: LayerConverter = (layer, call, ctx) => {
  const block = layer as unknown as DecoderBlock;
  const x = ctx.asNchw(onlyInput(layer, call), layer.name);
  const [, , h, w] = ctx.graph.shape(x.name) as [number, number, number, number];
  let y: OnnxValue = ctx.resizeBilinear(x, [h * block.scale, w * block.scale], true, layer.name);
  for (const conv of ['conv1', 'conv2']) {
    const name = `${layer.name}.${conv}`;
    const c = emitConv(ctx, y, layer, { kernel: `${conv}.0.weight` }, { strides: [1, 1], pads: [1, 1, 1, 1] }, name);
    const normed = ctx.batchNorm(c, layer, torchBatchNormKeys(`${conv}.1.`), TORCH_BATCH_NORM, name);
    y = { ...normed, name: ctx.graph.op('Relu', [normed.name], name) };
  }
  return [y];
};

/** SegmentationHead: k×k Conv with bias (padding k // 2), then bilinear ×upsampling (align_corners). */
const segmentationHead: LayerConverter = (layer, call, ctx) => {
  const head = layer as unknown as SegmentationHead;
  const p = Math.floor(head.kernelSize / 2);
  const logits = emitConv(ctx, onlyInput(layer, call), layer, { kernel: '0.weight', bias: '0.bias' }, { strides: [1, 1], pads: [p, p, p, p] }, `${layer.name}.0`);
  if (head.upsampling === 1) return [logits];
  const [, outH, outW] = call.outputShapes[0]!;
  return [ctx.resizeBilinear(logits, [outH!, outW!], true, layer.name)];
};

/** The @levit-unet/unet-decoder layers, by tfjs class name. */
export const UNET_DECODER_CONVERTERS: Record<string, LayerConverter> = {
  LeViTUNetDecoderBlock: decoderBlock,
  LeViTUNetSegmentationHead: segmentationHead,
};
