import type { ConversionContext, OnnxValue } from '../conversion-context.js';

/**
 * The (out, in) matrix of 1-D linear interpolation: align_corners src = dst·(in − 1)/(out − 1) (PyTorch
 * `align_corners=True`), asymmetric src = dst·in/out (tfjs `alignCorners=false`), clamped at the edge.
 */
export function interpolationMatrix(inSize: number, outSize: number, alignCorners: boolean): Float32Array {
  const m = new Float32Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const src = alignCorners ? (outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0) : (o * inSize) / outSize;
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const frac = src - i0;
    m[o * inSize + i0]! += 1 - frac;
    m[o * inSize + i1]! += frac;
  }
  return m;
}

/**
 * Bilinear resize of an NCHW map as two MatMuls with constant interpolation matrices, y = A_h·x·A_wᵀ:
 * its gradient is the transposed MatMuls (no Resize gradient op exists in standard ONNX).
 */
export function emitBilinearMatMul(ctx: ConversionContext, input: OnnxValue, outSize: [number, number], alignCorners: boolean, name: string): OnnxValue {
  const x = ctx.asNchw(input, name);
  const [, , inH, inW] = ctx.graph.shape(x.name) as [number, number, number, number];
  const [outH, outW] = outSize;
  const g = ctx.graph;
  const awT = transposed(interpolationMatrix(inW, outW, alignCorners), outW, inW);
  const ah = interpolationMatrix(inH, outH, alignCorners);
  const wide = g.op('MatMul', [x.name, g.addFloat(`${name}.interp_w`, awT, [inW, outW]).name], name);
  const y = g.op('MatMul', [g.addFloat(`${name}.interp_h`, ah, [outH, inH]).name, wide], name);
  return { name: y, layout: 'nchw', shape: [x.shape[0] ?? null, outH, outW, x.shape[3] ?? null] };
}

function transposed(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}
