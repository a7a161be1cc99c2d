import type { GradientFormulations } from '../../src/gradients/gradient-rule.js';
import * as ort from 'onnxruntime-node';
import { buildGradients } from '../../src/gradients/build-gradients.js';
import { OnnxGraphBuilder, valueInfo } from '../../src/onnx-graph-builder.js';
import { encodeOnnxModel, OnnxDataType } from '../../src/onnx-proto.js';

export interface CheckInput {
  name: string;
  dims: number[];
  data: Float32Array;
  /** Differentiate with respect to it (default true). */
  differentiable?: boolean;
}

/** A seeded uniform generator in [lo, hi). */
export function seededUniform(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = -1, hi = 1) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  };
}

export function randomArray(n: number, rand: (lo?: number, hi?: number) => number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rand(lo, hi));
}

/**
 * Builds `forward(graph, inputs)` → y, the scalar loss Σ y·r with a fixed random r, and the gradients
 * of the loss w.r.t. the differentiable inputs; runs the graph in onnxruntime.
 * Returns the loss evaluator (for finite differences) and the analytic gradients.
 */
export async function gradientCheck(
  inputs: CheckInput[],
  forward: (graph: OnnxGraphBuilder, names: string[]) => string,
  seed = 7,
  formulations: Partial<GradientFormulations> = {},
): Promise<{
  grads: Map<string, Float32Array>;
  loss: (values: Map<string, Float32Array>) => Promise<number>;
  y: Float32Array;
  yDims: number[];
  /** The fixed weights of the loss Σ y·r (shape `yDims`), for a reference implementation to reuse. */
  r: Float32Array;
  dispose: () => Promise<void>;
}> {
  const graph = new OnnxGraphBuilder();
  const names = inputs.map((i) => {
    const name = graph.reserve(i.name);
    graph.setShape(name, i.dims);
    return name;
  });
  const y = forward(graph, names);
  const yShape = graph.shape(y);
  const rand = seededUniform(seed);
  const r = graph.addFloat('r', randomArray(yShape.reduce((a, b) => a * b, 1), rand), yShape);
  const loss = graph.op('ReduceSum', [graph.op('Mul', [y, r.name], 'loss')], 'loss', { keepdims: { int: 0 } });
  const wrt = inputs.filter((i) => i.differentiable !== false).map((i) => i.name);
  const grads = buildGradients(graph, loss, wrt, formulations);
  const outputs = [loss, y, ...wrt.map((w) => grads.get(w)!)];
  const bytes = encodeOnnxModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'gradient-check',
    producerVersion: '0',
    graph: {
      name: 'check',
      node: graph.nodes,
      initializer: graph.tensorProtos(),
      input: inputs.map((i) => valueInfo(i.name, OnnxDataType.FLOAT, i.dims)),
      output: outputs.map((o) => valueInfo(o, OnnxDataType.FLOAT, graph.shape(o))),
    },
  });
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const run = async (values: Map<string, Float32Array>, fetches?: string[]) => {
    const feeds = Object.fromEntries(inputs.map((i) => [i.name, new ort.Tensor('float32', values.get(i.name) ?? i.data, i.dims)]));
    return fetches ? session.run(feeds, fetches) : session.run(feeds);
  };
  const base = await run(new Map());
  return {
    grads: new Map(wrt.map((w) => [w, base[grads.get(w)!]!.data as Float32Array])),
    y: base[y]!.data as Float32Array,
    yDims: yShape,
    r: r.data as Float32Array,
    loss: async (values) => Number((await run(values, [loss]))[loss]!.data[0]),
    dispose: () => session.release(),
  };
}

/**
 * Central finite differences of the check's loss at `count` evenly spread elements of each input, in
 * float32 through onnxruntime (h = `step`); returns the largest |fd − analytic| / (|fd| + |analytic| + floor).
 */
export async function finiteDifferenceError(
  inputs: CheckInput[],
  check: Awaited<ReturnType<typeof gradientCheck>>,
  { count = 12, step = 1e-2, floor = 1e-2 } = {},
): Promise<number> {
  let worst = 0;
  for (const input of inputs) {
    if (input.differentiable === false) continue;
    const analytic = check.grads.get(input.name)!;
    for (let k = 0; k < Math.min(count, input.data.length); k++) {
      const at = Math.floor((k * input.data.length) / Math.min(count, input.data.length));
      const plus = Float32Array.from(input.data);
      const minus = Float32Array.from(input.data);
      plus[at]! += step;
      minus[at]! -= step;
      const fd = ((await check.loss(new Map([[input.name, plus]]))) - (await check.loss(new Map([[input.name, minus]])))) / (2 * step);
      worst = Math.max(worst, Math.abs(fd - analytic[at]!) / (Math.abs(fd) + Math.abs(analytic[at]!) + floor));
    }
  }
  return worst;
}
