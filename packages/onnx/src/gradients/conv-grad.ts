import { attrInt, attrInts } from '../graph/node-attributes.js';
import type { OnnxNode } from '../onnx-proto.js';
import type { GradientContext, GradientRule } from './gradient-rule.js';

interface ConvGeometry {
  h: number;
  w: number;
  kh: number;
  kw: number;
  ho: number;
  wo: number;
  strides: [number, number];
  dilations: [number, number];
  pads: [number, number, number, number];
}

function geometry(ctx: GradientContext, node: OnnxNode): ConvGeometry {
  const g = ctx.graph;
  const [x, w] = node.input as [string, string];
  const [, , h, wd] = g.shape(x) as [number, number, number, number];
  const [, , kh, kw] = g.shape(w) as [number, number, number, number];
  const [, , ho, wo] = g.shape(node.output[0]!) as [number, number, number, number];
  if (attrInt(node, 'group', 1) !== 1) throw new Error(`Conv node ${node.name}: gradients of grouped convolutions are not supported`);
  return {
    h,
    w: wd,
    kh,
    kw,
    ho,
    wo,
    strides: (attrInts(node, 'strides') ?? [1, 1]) as [number, number],
    dilations: (attrInts(node, 'dilations') ?? [1, 1]) as [number, number],
    pads: (attrInts(node, 'pads') ?? [0, 0, 0, 0]) as [number, number, number, number],
  };
}

/**
 * dx. Stride 1 ('conv'): a Conv of dy with the filter transposed (C_in ↔ C_out) and flipped, padded by
 * dilation·(k − 1) − pad on each side. Otherwise a ConvTranspose with the conv's own attributes, whose
 * `output_padding` restores the rows and columns a stride dropped.
 */
function inputGradient(ctx: GradientContext, node: OnnxNode, dy: string, c: ConvGeometry): string {
  const g = ctx.graph;
  const w = node.input[1]!;
  const [sh, sw] = c.strides;
  const [dh, dw] = c.dilations;
  const [top, left, bottom, right] = c.pads;
  const flippedPads = [dh * (c.kh - 1) - top, dw * (c.kw - 1) - left, dh * (c.kh - 1) - bottom, dw * (c.kw - 1) - right];
  if (ctx.formulations.convInput === 'conv' && sh === 1 && sw === 1 && flippedPads.every((p) => p >= 0)) {
    const transposed = g.op('Transpose', [w], ctx.name, { perm: { ints: [1, 0, 2, 3] } });
    const flipped = g.op('Slice', [transposed, g.int64s([-1, -1], 'starts'), g.int64s([-(2 ** 62), -(2 ** 62)], 'ends'), g.int64s([2, 3], 'axes'), g.int64s([-1, -1], 'steps')], ctx.name);
    return g.op('Conv', [dy, flipped], ctx.name, {
      dilations: { ints: c.dilations },
      kernel_shape: { ints: [c.kh, c.kw] },
      pads: { ints: flippedPads },
      strides: { ints: [1, 1] },
    });
  }
  const outputPadding = [c.h - (sh * (c.ho - 1) + dh * (c.kh - 1) + 1 - top - bottom), c.w - (sw * (c.wo - 1) + dw * (c.kw - 1) + 1 - left - right)];
  return g.op('ConvTranspose', [dy, w], ctx.name, {
    strides: { ints: c.strides },
    pads: { ints: c.pads },
    dilations: { ints: c.dilations },
    kernel_shape: { ints: [c.kh, c.kw] },
    output_padding: { ints: outputPadding },
  });
}

/**
 * dw as one Conv over batch↔channel-transposed tensors: x as (C_in, N, H, W), dy as (C_out, N, H', W')
 * with dilation = the stride; the end pads make the output exactly (kh, kw) (rows a stride never reads
 * are cropped first: ONNX pads cannot be negative); then (C_in, C_out, kh, kw) → (C_out, C_in, kh, kw).
 */
function filterGradientByConv(ctx: GradientContext, x: string, dy: string, c: ConvGeometry): string {
  const g = ctx.graph;
  const [sh, sw] = c.strides;
  const bottom = c.dilations[0] * (c.kh - 1) + 1 + sh * (c.ho - 1) - c.h - c.pads[0];
  const right = c.dilations[1] * (c.kw - 1) + 1 + sw * (c.wo - 1) - c.w - c.pads[1];
  let xt = g.op('Transpose', [x], ctx.name, { perm: { ints: [1, 0, 2, 3] } });
  if (bottom < 0 || right < 0) {
    xt = g.op('Slice', [xt, g.int64s([0, 0], 'starts'), g.int64s([c.h + Math.min(bottom, 0), c.w + Math.min(right, 0)], 'ends'), g.int64s([2, 3], 'axes')], ctx.name);
  }
  const dyt = g.op('Transpose', [dy], ctx.name, { perm: { ints: [1, 0, 2, 3] } });
  const dwt = g.op('Conv', [xt, dyt], ctx.name, {
    strides: { ints: c.dilations },
    dilations: { ints: c.strides },
    kernel_shape: { ints: [c.ho, c.wo] },
    pads: { ints: [c.pads[0], c.pads[1], Math.max(bottom, 0), Math.max(right, 0)] },
  });
  return g.op('Transpose', [dwt], ctx.name, { perm: { ints: [1, 0, 2, 3] } });
}

/** The output rows (or columns) whose receptive field includes input row i·d − pad + o·s for o in range, for one kernel tap. */
function tapRange(size: number, outSize: number, tap: number, stride: number, dilation: number, padBegin: number): { first: number; count: number; inputStart: number } {
  const offset = tap * dilation - padBegin;
  const first = Math.max(0, Math.ceil(-offset / stride));
  const last = Math.min(outSize - 1, Math.floor((size - 1 - offset) / stride));
  return { first, count: Math.max(0, last - first + 1), inputStart: first * stride + offset };
}

/**
 * dw per kernel tap (i, j): dw[:, :, i, j] = Σ over batch and output pixels of dy ⊗ (x shifted by the
 * tap). Each tap reads the output pixels whose input pixel lies inside x (no padded copy of x): a strided
 * Slice of x and a Slice of dy, flattened to (N, C_in, P) and (N, C_out, P), one batched MatMul
 * (N, C_out, P)·(N, P, C_in), summed over the batch.
 */
function filterGradientByMatMul(ctx: GradientContext, x: string, dy: string, c: ConvGeometry): string {
  const g = ctx.graph;
  const [n, ci] = g.shape(x) as [number, number];
  const co = g.shape(dy)[1]!;
  const sameSize = c.strides[0] === 1 && c.strides[1] === 1 && c.ho === c.h && c.wo === c.w;
  const taps = sameSize ? sameSizeTaps(ctx, x, dy, c, n, ci, co) : stridedTaps(ctx, x, dy, c, n, ci, co);
  // (kh·kw) × (C_out, C_in) → (C_out, C_in, kh, kw).
  const stacked = g.op('Concat', taps.map((t) => g.op('Reshape', [t, g.int64s([co, ci, 1], 'shape')], ctx.name)), ctx.name, { axis: { int: 2 } });
  return g.op('Reshape', [stacked, g.int64s([co, ci, c.kh, c.kw], 'shape')], ctx.name);
}

/** Σ over the batch of dyᵢ·xᵢᵀ for (N, C_out, P) and (N, C_in, P) values: (C_out, C_in). */
function batchedOuterSum(ctx: GradientContext, dyFlat: string, xFlat: string, n: number, ci: number, co: number): string {
  const g = ctx.graph;
  const perImage = g.op('MatMul', [dyFlat, g.op('Transpose', [xFlat], ctx.name, { perm: { ints: [0, 2, 1] } })], ctx.name);
  return n === 1 ? g.op('Reshape', [perImage, g.int64s([co, ci], 'shape')], ctx.name) : g.op('ReduceSum', [perImage, g.int64s([0], 'axes')], ctx.name, { keepdims: { int: 0 } });
}

/**
 * Stride 1 with output size = input size ('same' padding, the decoder's 3×3 convs): on flattened
 * (N, C, H·W) maps a tap is a constant shift of the pixel index, so both slices are contiguous runs
 * along the last axis. A shift across a row edge wraps to the neighbouring row; those output columns
 * are zeroed in dy (one mask per kernel column) so the wrapped pixels contribute nothing.
 */
function sameSizeTaps(ctx: GradientContext, x: string, dy: string, c: ConvGeometry, n: number, ci: number, co: number): string[] {
  const g = ctx.graph;
  const pixels = c.h * c.w;
  const xFlat = g.op('Reshape', [x, g.int64s([n, ci, pixels], 'shape')], ctx.name);
  const maskedDy = new Map<number, string>();
  const dyFor = (columnShift: number) => {
    let flat = maskedDy.get(columnShift);
    if (!flat) {
      let masked = dy;
      if (columnShift !== 0) {
        const mask = Float32Array.from({ length: c.w }, (_, ox) => (ox + columnShift >= 0 && ox + columnShift < c.w ? 1 : 0));
        masked = g.op('Mul', [dy, g.addFloat(`${ctx.name}.column_mask`, mask, [c.w]).name], ctx.name);
      }
      flat = g.op('Reshape', [masked, g.int64s([n, co, pixels], 'shape')], ctx.name);
      maskedDy.set(columnShift, flat);
    }
    return flat;
  };
  const taps: string[] = [];
  for (let i = 0; i < c.kh; i++) {
    for (let j = 0; j < c.kw; j++) {
      const rowShift = i * c.dilations[0] - c.pads[0];
      const columnShift = j * c.dilations[1] - c.pads[1];
      const offset = rowShift * c.w + columnShift;
      // Output pixels q whose row is inside x, clamped so that q + offset stays inside the flat map.
      const first = Math.max(Math.max(0, -rowShift) * c.w, -offset);
      const end = Math.min(Math.min(c.h, c.h - rowShift) * c.w, pixels - offset);
      if (end <= first) {
        taps.push(ctx.zeros([co, ci]));
        continue;
      }
      const slice = (v: string, start: number) => (start === 0 && end - first === pixels ? v : g.op('Slice', [v, g.int64s([start], 'starts'), g.int64s([start + end - first], 'ends'), g.int64s([2], 'axes')], ctx.name));
      taps.push(batchedOuterSum(ctx, slice(dyFor(columnShift), first), slice(xFlat, first + offset), n, ci, co));
    }
  }
  return taps;
}

/** Any stride: each tap reads the output pixels whose input pixel lies inside x, a strided Slice of x and a Slice of dy. */
function stridedTaps(ctx: GradientContext, x: string, dy: string, c: ConvGeometry, n: number, ci: number, co: number): string[] {
  const g = ctx.graph;
  const [sh, sw] = c.strides;
  const [dh, dw] = c.dilations;
  const taps: string[] = [];
  for (let i = 0; i < c.kh; i++) {
    for (let j = 0; j < c.kw; j++) {
      const rows = tapRange(c.h, c.ho, i, sh, dh, c.pads[0]);
      const cols = tapRange(c.w, c.wo, j, sw, dw, c.pads[1]);
      const pixels = rows.count * cols.count;
      if (pixels === 0) {
        taps.push(ctx.zeros([co, ci]));
        continue;
      }
      const xStarts = [rows.inputStart, cols.inputStart];
      const xEnds = [rows.inputStart + sh * (rows.count - 1) + 1, cols.inputStart + sw * (cols.count - 1) + 1];
      const shifted = g.op('Slice', [x, g.int64s(xStarts, 'starts'), g.int64s(xEnds, 'ends'), g.int64s([2, 3], 'axes'), g.int64s([sh, sw], 'steps')], ctx.name);
      const fullDy = rows.count === c.ho && cols.count === c.wo;
      const dySlice = fullDy ? dy : g.op('Slice', [dy, g.int64s([rows.first, cols.first], 'starts'), g.int64s([rows.first + rows.count, cols.first + cols.count], 'ends'), g.int64s([2, 3], 'axes')], ctx.name);
      const xFlat = g.op('Reshape', [shifted, g.int64s([n, ci, pixels], 'shape')], ctx.name);
      const dyFlat = g.op('Reshape', [dySlice, g.int64s([n, co, pixels], 'shape')], ctx.name);
      taps.push(batchedOuterSum(ctx, dyFlat, xFlat, n, ci, co));
    }
  }
  return taps;
}

/**
 * 2-D Conv (group 1): y = x ⋆ w + b. dx and dw in the formulations the context chooses (see
 * `GradientFormulations`); db = Σ dy over batch and space.
 */
export const convGrad: GradientRule = {
  opType: 'Conv',
  vjp(ctx, node, [dy], needs) {
    const g = ctx.graph;
    const c = geometry(ctx, node);
    const x = node.input[0]!;
    const out: Array<string | null> = [null, null, null];
    if (needs[0]) out[0] = inputGradient(ctx, node, dy!, c);
    if (needs[1]) out[1] = ctx.formulations.convFilter === 'matmul' ? filterGradientByMatMul(ctx, x, dy!, c) : filterGradientByConv(ctx, x, dy!, c);
    if (needs[2] && node.input[2]) out[2] = g.op('ReduceSum', [dy!, g.int64s([0, 2, 3], 'axes')], ctx.name, { keepdims: { int: 0 } });
    return out;
  },
};
