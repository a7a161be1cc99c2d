import { describe, expect, it } from 'vitest';
import { compareToReference } from '@levit-unet/test-utils';
import { OnnxGraphBuilder, tensorProto, valueInfo } from '../src/onnx-graph-builder.js';
import { encodeOnnxModel, OnnxDataType } from '../src/onnx-proto.js';
import { foldBatchNorms } from '../src/passes/fold-batch-norm.js';
import { foldConstants } from '../src/passes/fold-constants.js';
import type { OnnxGraphIR } from '../src/passes/onnx-graph-ir.js';
import { optimizeForInference } from '../src/passes/optimize-for-inference.js';
import { runOnnx } from './helpers.js';

/** Deterministic values in [lo, hi). */
function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  });
}

/** An inference BatchNormalization over `channels` with non-trivial statistics. */
function batchNorm(g: OnnxGraphBuilder, x: string, channels: number, seed: number): string {
  const inputs = [values(channels, seed, 0.5, 1.5), values(channels, seed + 1), values(channels, seed + 2), values(channels, seed + 3, 0.5, 2)];
  const names = inputs.map((data, k) => g.addFloat(`bn${seed}_${k}`, data, [channels]).name);
  return g.op('BatchNormalization', [x, ...names], `bn${seed}`, { epsilon: { float: 1e-5 } });
}

function ir(g: OnnxGraphBuilder, outputs: string[]): OnnxGraphIR {
  return { nodes: [...g.nodes], constants: new Map(g.initializers.map((i) => [i.name, i])), outputs };
}

function encode(graph: OnnxGraphIR, input: string, inputDims: number[], outputDims: number[][]): Uint8Array {
  return encodeOnnxModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'passes.test',
    producerVersion: '0',
    graph: {
      name: 'passes',
      node: graph.nodes,
      initializer: [...graph.constants.values()].map(tensorProto),
      input: [valueInfo(input, OnnxDataType.FLOAT, inputDims)],
      output: graph.outputs.map((o, k) => valueInfo(o, OnnxDataType.FLOAT, outputDims[k]!)),
    },
  });
}

const opTypes = (graph: OnnxGraphIR) => graph.nodes.map((n) => n.opType);

describe('foldConstants', () => {
  it('evaluates Transpose and Gather of constants (closed form) and leaves nodes with a variable input', () => {
    const g = new OnnxGraphBuilder();
    const x = g.reserve('x');
    const w = g.addFloat('w', Float32Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]).name;
    const t = g.op('Transpose', [w], 't', { perm: { ints: [2, 0, 1] } });
    const idx = g.addInt64('idx', BigInt64Array.from([2n, 0n, -1n]), [3]).name;
    const gathered = g.op('Gather', [w, idx], 'g', { axis: { int: 2 } });
    const live = g.op('Transpose', [x], 'live', { perm: { ints: [1, 0] } });
    const graph = foldConstants(ir(g, [t, gathered, live]));
    expect(opTypes(graph)).toEqual(['Transpose']);
    const transposed = graph.constants.get(t)!;
    expect(transposed.dims).toEqual([4, 2, 3]);
    // out[k][i][j] = w[i][j][k] = 12i + 4j + k
    const expected = [];
    for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expected.push(12 * i + 4 * j + k);
    expect(Array.from(transposed.data as Float32Array)).toEqual(expected);
    const picked = graph.constants.get(gathered)!;
    expect(picked.dims).toEqual([2, 3, 3]);
    expect(Array.from(picked.data as Float32Array).slice(0, 6)).toEqual([2, 0, 3, 6, 4, 7]);
  });
});

describe('foldBatchNorms', () => {
  it('folds BatchNorm into a Conv and into a token MatMul across its Transpose pair; the graph computes the same', async () => {
    const g = new OnnxGraphBuilder();
    const x = g.reserve('x');
    g.setShape(x, [2, 3, 8, 8]);
    const conv = g.op('Conv', [x, g.addFloat('w', values(4 * 3 * 9, 1), [4, 3, 3, 3]).name], 'conv', { pads: { ints: [1, 1, 1, 1] }, kernel_shape: { ints: [3, 3] } });
    const convOut = g.op('Relu', [batchNorm(g, conv, 4, 10)], 'relu');
    // tokens (B, 64, 4) → MatMul [4, 5] → channel-last BatchNorm (Transpose, BN, Transpose back)
    const tokens = g.op('Reshape', [g.op('Transpose', [convOut], 'tok', { perm: { ints: [0, 2, 3, 1] } }), g.int64s([0, 64, 4])], 'tok');
    const linear = g.op('MatMul', [tokens, g.addFloat('m', values(20, 2), [4, 5]).name], 'lin');
    const front = g.op('Transpose', [linear], 'bn', { perm: { ints: [0, 2, 1] } });
    const tokenOut = g.op('Transpose', [batchNorm(g, front, 5, 20)], 'bn', { perm: { ints: [0, 2, 1] } });
    const before = ir(g, [tokenOut]);
    const reference = await runOnnx(encode(before, x, [2, 3, 8, 8], [[2, 64, 5]]), values(2 * 3 * 64, 5), [2, 3, 8, 8]);

    const after = optimizeForInference(ir(g, [tokenOut]));
    expect(opTypes(after)).toEqual(['Conv', 'Relu', 'Transpose', 'Reshape', 'MatMul', 'Add']);
    expect([...after.constants.keys()].some((k) => k.startsWith('bn'))).toBe(false); // the statistics are gone
    const folded = await runOnnx(encode(after, x, [2, 3, 8, 8], [[2, 64, 5]]), values(2 * 3 * 64, 5), [2, 3, 8, 8]);
    const { maxError, maxReference } = compareToReference(reference.data as Float32Array, folded.data as Float32Array);
    expect(maxError).toBeLessThanOrEqual(1e-6 * maxReference);
  });

  it('keeps a BatchNorm whose producer output is read elsewhere, or that follows no Conv / MatMul', () => {
    const g = new OnnxGraphBuilder();
    const x = g.reserve('x');
    g.setShape(x, [1, 3, 4, 4]);
    const conv = g.op('Conv', [x, g.addFloat('w', values(81, 1), [3, 3, 3, 3]).name], 'conv', { pads: { ints: [1, 1, 1, 1] } });
    const shared = batchNorm(g, conv, 3, 10);
    const sum = g.op('Add', [shared, conv], 'skip'); // conv is also read here: folding would change it
    const afterAdd = batchNorm(g, sum, 3, 20);
    const graph = foldBatchNorms(ir(g, [afterAdd]));
    expect(opTypes(graph)).toEqual(['Conv', 'BatchNormalization', 'Add', 'BatchNormalization']);
  });
});
