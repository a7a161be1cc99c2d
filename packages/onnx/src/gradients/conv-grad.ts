import { attrInt, attrInts } from '../graph/node-attributes.js';
import type { GradientRule } from './gradient-rule.js';

/**
 * 2-D Conv (group 1): y = x ⋆ w + b.
 * - dx: ConvTranspose of dy with the same w, strides, pads and dilations; `output_padding` restores
 *   the rows and columns a stride dropped.
 * - dw: a Conv of x with dy as its filter over batch↔channel-transposed tensors: x as (C_in, N, H, W),
 *   dy as (C_out, N, H', W') with dilation = the stride; the end pads are chosen so the output is exactly
 *   (kh, kw); then (C_in, C_out, kh, kw) → (C_out, C_in, kh, kw).
 * - db: Σ dy over batch and space.
 */
export const convGrad: GradientRule = {
  opType: 'Conv',
  vjp(ctx, node, [dy], needs) {
    const g = ctx.graph;
    const [x, w] = node.input as [string, string, string?];
    const [, , h, wd] = g.shape(x) as [number, number, number, number];
    const [, , kh, kw] = g.shape(w) as [number, number, number, number];
    const [, , ho, wo] = g.shape(node.output[0]!) as [number, number, number, number];
    if (attrInt(node, 'group', 1) !== 1) throw new Error(`Conv node ${node.name}: gradients of grouped convolutions are not supported`);
    const strides = attrInts(node, 'strides') ?? [1, 1];
    const dilations = attrInts(node, 'dilations') ?? [1, 1];
    const pads = attrInts(node, 'pads') ?? [0, 0, 0, 0];
    const [sh, sw] = strides as [number, number];
    const [dh, dw] = dilations as [number, number];
    const out: Array<string | null> = [null, null, null];
    if (needs[0]) {
      const outputPadding = [h - (sh * (ho - 1) + dh * (kh - 1) + 1 - pads[0]! - pads[2]!), wd - (sw * (wo - 1) + dw * (kw - 1) + 1 - pads[1]! - pads[3]!)];
      out[0] = g.op('ConvTranspose', [dy!, w], ctx.name, {
        strides: { ints: strides },
        pads: { ints: pads },
        dilations: { ints: dilations },
        kernel_shape: { ints: [kh, kw] },
        output_padding: { ints: outputPadding },
      });
    }
    if (needs[1]) {
      if (dh !== 1 || dw !== 1) throw new Error(`Conv node ${node.name}: filter gradients of dilated convolutions are not supported`);
      // Output extent of the transposed conv: h + top + bottom' − sh·(ho − 1) = kh.
      const bottom = kh + sh * (ho - 1) - h - pads[0]!;
      const right = kw + sw * (wo - 1) - wd - pads[1]!;
      let xt = g.op('Transpose', [x], ctx.name, { perm: { ints: [1, 0, 2, 3] } });
      // A stride that leaves the last rows unread: crop them (ONNX pads cannot be negative).
      if (bottom < 0 || right < 0) {
        xt = g.op('Slice', [xt, g.int64s([0, 0], 'starts'), g.int64s([h + Math.min(bottom, 0), wd + Math.min(right, 0)], 'ends'), g.int64s([2, 3], 'axes')], ctx.name);
      }
      const dyt = g.op('Transpose', [dy!], ctx.name, { perm: { ints: [1, 0, 2, 3] } });
      const dwt = g.op('Conv', [xt, dyt], ctx.name, {
        strides: { ints: [1, 1] },
        dilations: { ints: strides },
        kernel_shape: { ints: [ho, wo] },
        pads: { ints: [pads[0]!, pads[1]!, Math.max(bottom, 0), Math.max(right, 0)] },
      });
      out[1] = g.op('Transpose', [dwt], ctx.name, { perm: { ints: [1, 0, 2, 3] } });
    }
    if (needs[2] && node.input[2]) out[2] = g.op('ReduceSum', [dy!, g.int64s([0, 2, 3], 'axes')], ctx.name, { keepdims: { int: 0 } });
    return out;
  },
};
