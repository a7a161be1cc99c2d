import type { DecoderBlock, SegmentationHead } from '@levit-unet/unet-decoder';
import type { OnnxValue } from '../conversion-context.js';
import { onlyInput } from '../layer-converter.js';
import { emitBilinearMatMul } from './bilinear-matmul.js';
import type { TrainingConverter } from './levit-training-converters.js';
import type { TrainingContext } from './training-context.js';
import { emitTrainableConv, TORCH_BATCH_NORM, torchBatchNormKeys } from './training-ops.js';

/** DecoderBlock: bilinear ×scale (align_corners), then twice [3×3 Conv, BatchNorm2d, Relu]. */
const decoderBlock: TrainingConverter = (layer, call, ctx) => {
  const t = ctx as TrainingContext;
  const block = layer as unknown as DecoderBlock;
  const x = t.asNchw(onlyInput(layer, call), layer.name);
  const [, , h, w] = t.graph.shape(x.name) as [number, number, number, number];
  let y: OnnxValue = emitBilinearMatMul(t, x, [h * block.scale, w * block.scale], true, layer.name);
  for (const conv of ['conv1', 'conv2']) {
    const name = `${layer.name}.${conv}`;
    const c = emitTrainableConv(t, y, layer, { kernel: `${conv}.0.weight` }, { strides: [1, 1], pads: [1, 1, 1, 1] }, name);
    const normed = t.batchNorm(c, layer, torchBatchNormKeys(`${conv}.1.`), TORCH_BATCH_NORM, name);
    y = { ...normed, name: t.graph.op('Relu', [normed.name], name) };
  }
  return [y];
};

/** SegmentationHead: k×k Conv with bias (padding k // 2), then bilinear ×upsampling (align_corners). */
const segmentationHead: TrainingConverter = (layer, call, ctx) => {
  const t = ctx as TrainingContext;
  const head = layer as unknown as SegmentationHead;
  const p = Math.floor(head.kernelSize / 2);
  const logits = emitTrainableConv(t, onlyInput(layer, call), layer, { kernel: '0.weight', bias: '0.bias' }, { strides: [1, 1], pads: [p, p, p, p] }, `${layer.name}.0`);
  if (head.upsampling === 1) return [logits];
  const [, outH, outW] = call.outputShapes[0]!;
  return [emitBilinearMatMul(t, logits, [outH!, outW!], true, layer.name)];
};

/** The @levit-unet/unet-decoder layers in a training graph, by tfjs class name. */
export const UNET_DECODER_TRAINING_CONVERTERS: Record<string, TrainingConverter> = {
  LeViTUNetDecoderBlock: decoderBlock,
  LeViTUNetSegmentationHead: segmentationHead,
};
