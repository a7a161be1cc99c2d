import { beforeAll, describe, expect, it } from 'vitest';
import type { OnnxGraphBuilder } from '../../src/onnx-graph-builder.js';
import { gradientCheck, randomArray, seededUniform } from './gradient-check.js';
import { expectGradients, tf, useTfjsCpu } from './reference.js';

beforeAll(useTfjsCpu);

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

interface GatherCase {
  x: number[];
  axis: number;
  indices: number[];
  indexDims: number[];
  out: number[];
}

const CASES: Array<[string, GatherCase]> = [
  // LeViT's attention bias: a (heads, offsets) table read at an (N, N) offset index, most offsets repeated.
  ['2-D table, axis 1, 2-D indices with repeats', { x: [3, 5], axis: 1, indices: [0, 1, 2, 3, 1, 0, 1, 2, 2, 1, 0, 1, 4, 2, 1, 0], indexDims: [4, 4], out: [3, 4, 4] }],
  ['2-D table, axis 1, 1-D indices with repeats', { x: [2, 5], axis: 1, indices: [4, 0, 4, 4, 1], indexDims: [5], out: [2, 5] }],
  ['3-D tensor, axis 1 (token subsampling) with repeats', { x: [2, 5, 3], axis: 1, indices: [3, 3, 0, 1], indexDims: [4], out: [2, 4, 3] }],
  ['axis 0 (embedding lookup)', { x: [5, 3], axis: 0, indices: [1, 1, 4], indexDims: [3], out: [3, 3] }],
  ['axis −1 of a 3-D tensor', { x: [2, 3, 4], axis: -1, indices: [3, 0, 0], indexDims: [3], out: [2, 3, 3] }],
  ['negative indices', { x: [2, 4, 3], axis: 1, indices: [-1, 0, -1, 1], indexDims: [4], out: [2, 4, 3] }],
  ['scalar index (drops the axis)', { x: [2, 4, 3], axis: 1, indices: [2], indexDims: [], out: [2, 3] }],
  ['unused rows of the table (zero gradient)', { x: [6, 2], axis: 0, indices: [5, 0], indexDims: [2], out: [2, 2] }],
];

function onnxGather(c: GatherCase) {
  return (g: OnnxGraphBuilder, [x]: string[]) => {
    const idx = g.addInt64('idx', BigInt64Array.from(c.indices, (v) => BigInt(v)), c.indexDims).name;
    const y = g.op('Gather', [x!, idx], 'gather', { axis: { int: c.axis } });
    expect(g.shape(y)).toEqual(c.out);
    return y;
  };
}

describe('Gather', () => {
  it.each(CASES)('%s', async (label, c) => {
    const extent = c.x.at(c.axis)!;
    // tfjs rejects negative indices: its reference reads the normalised ones.
    const positive = c.indices.map((v) => (v < 0 ? v + extent : v));
    const report = await expectGradients(`Gather ${label}`, {
      inputs: [{ name: 'x', dims: c.x, data: randomArray(size(c.x), seededUniform(size(c.x) + c.indices.length)) }],
      onnx: onnxGather(c),
      tfjs: (x) => tf.gather(x!, tf.tensor(positive, c.indexDims, 'int32'), c.axis),
      fd: { count: size(c.x) },
    });
    // Every table entry's gradient is Σ r over the outputs that read it, whatever its multiplicity.
    const counts = new Map<number, number>();
    positive.forEach((v) => counts.set(v, (counts.get(v) ?? 0) + 1));
    const dx = report.grads.get('x')!;
    const axis = c.axis < 0 ? c.axis + c.x.length : c.axis;
    const inner = size(c.x.slice(axis + 1));
    for (let i = 0; i < dx.length; i++) if (!counts.has(Math.floor(i / inner) % extent)) expect(dx[i]).toBe(0);
  });

  it('non-constant indices throw, naming the node', async () => {
    const rand = seededUniform(1);
    await expect(
      gradientCheck([{ name: 'x', dims: [2, 4], data: randomArray(8, rand) }], (g, [x]) => {
        const idx = g.op('Cast', [g.op('Relu', [g.addFloat('fi', Float32Array.from([1, 0]), [2]).name], 'r')], 'cast', { to: { int: 7 } });
        return g.op('Gather', [x!, idx], 'gather', { axis: { int: 1 } });
      }),
    ).rejects.toThrow(/Gather node gather\/Gather: gradients need constant indices/);
  });
});
