import type { GradientFormulations } from '../../src/gradients/gradient-rule.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradientCheck, randomArray, seededUniform, type CheckInput } from './gradient-check.js';
import { expectGradients, tf, useTfjsCpu } from './reference.js';

beforeAll(useTfjsCpu);

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

interface ConvCase {
  x: [number, number, number, number];
  /** (C_out, C_in, kh, kw). */
  w: [number, number, number, number];
  strides: [number, number];
  /** ONNX order: [top, left, bottom, right]. */
  pads: [number, number, number, number];
  dilations?: [number, number];
  bias: boolean;
  /** tfjs padding when it should be TF's own 'same' rather than the explicit pads (a cross-check of the pads). */
  tfPad?: 'same';
  /** Expected output spatial size. */
  out: [number, number];
}

const CASES: Array<[string, ConvCase]> = [
  ['stride 1, pads 1, bias', { x: [2, 3, 5, 6], w: [4, 3, 3, 3], strides: [1, 1], pads: [1, 1, 1, 1], bias: true, out: [5, 6] }],
  ['stride 1, no pads, 2×3 kernel, no bias', { x: [1, 2, 5, 6], w: [3, 2, 2, 3], strides: [1, 1], pads: [0, 0, 0, 0], bias: false, out: [4, 4] }],
  ['stride 2, pads 1, odd height (unread pad column), bias', { x: [2, 3, 7, 8], w: [4, 3, 3, 3], strides: [2, 2], pads: [1, 1, 1, 1], bias: true, out: [4, 4] }],
  ["TF 'same' stride 2: pads [0,0,1,1], bias", { x: [1, 2, 8, 8], w: [3, 2, 3, 3], strides: [2, 2], pads: [0, 0, 1, 1], bias: true, tfPad: 'same', out: [4, 4] }],
  ["TF 'same' stride 2, no bias", { x: [2, 2, 8, 8], w: [3, 2, 3, 3], strides: [2, 2], pads: [0, 0, 1, 1], bias: false, tfPad: 'same', out: [4, 4] }],
  ['8×8, k 3, stride 2, pads 0: last row and column unread (crop), no bias', { x: [2, 2, 8, 8], w: [3, 2, 3, 3], strides: [2, 2], pads: [0, 0, 0, 0], bias: false, out: [3, 3] }],
  ['8×8, k 3, stride 2, pads 0 (crop), bias', { x: [1, 3, 8, 8], w: [2, 3, 3, 3], strides: [2, 2], pads: [0, 0, 0, 0], bias: true, out: [3, 3] }],
  ['crop in one axis only (7×8, k 3, s 2, p 0)', { x: [1, 2, 7, 8], w: [3, 2, 3, 3], strides: [2, 2], pads: [0, 0, 0, 0], bias: true, out: [3, 3] }],
  ['stride 3 leaves two rows unread (8×8, k 3)', { x: [1, 2, 8, 8], w: [2, 2, 3, 3], strides: [3, 3], pads: [0, 0, 0, 0], bias: false, out: [2, 2] }],
  ['patch embedding k = s = 2 on odd 7×7', { x: [1, 3, 7, 7], w: [4, 3, 2, 2], strides: [2, 2], pads: [0, 0, 0, 0], bias: true, out: [3, 3] }],
  ['1×1, stride 2 (downsampling shortcut)', { x: [2, 3, 6, 5], w: [4, 3, 1, 1], strides: [2, 2], pads: [0, 0, 0, 0], bias: true, out: [3, 3] }],
  ['strides (2,1), asymmetric pads [1,0,0,2]', { x: [1, 2, 6, 5], w: [3, 2, 3, 3], strides: [2, 1], pads: [1, 0, 0, 2], bias: true, out: [3, 5] }],
];

function onnxConv(c: ConvCase) {
  return (g: Parameters<Parameters<typeof gradientCheck>[1]>[0], [x, w, b]: string[]) => {
    const y = g.op('Conv', c.bias ? [x!, w!, b!] : [x!, w!], 'conv', {
      strides: { ints: c.strides },
      pads: { ints: c.pads },
      kernel_shape: { ints: c.w.slice(2) },
      ...(c.dilations ? { dilations: { ints: c.dilations } } : {}),
    });
    expect(g.shape(y)).toEqual([c.x[0], c.w[0], ...c.out]);
    return y;
  };
}

/** tfjs conv2d on the ONNX layouts: NCHW → NHWC, OIHW → HWIO, and back. */
function tfConv(c: ConvCase) {
  return (x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor) => {
    const [t, l, bo, r] = c.pads;
    const pad = c.tfPad ?? ([[0, 0], [t, bo], [l, r], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]]);
    const nhwc = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
    const hwio = tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D;
    const y = tf.transpose(tf.conv2d(nhwc, hwio, c.strides, pad, 'NHWC', c.dilations ?? [1, 1]), [0, 3, 1, 2]);
    return b ? tf.add(y, tf.reshape(b, [1, -1, 1, 1])) : y;
  };
}

function convInputs(c: ConvCase, seed: number, differentiable: { x?: boolean; w?: boolean } = {}): CheckInput[] {
  const rand = seededUniform(seed);
  const inputs: CheckInput[] = [
    { name: 'x', dims: c.x, data: randomArray(size(c.x), rand), differentiable: differentiable.x ?? true },
    { name: 'w', dims: c.w, data: randomArray(size(c.w), rand, -0.5, 0.5), differentiable: differentiable.w ?? true },
  ];
  if (c.bias) inputs.push({ name: 'b', dims: [c.w[0]], data: randomArray(c.w[0], rand) });
  return inputs;
}

const FORMULATIONS: Array<Pick<GradientFormulations, 'convFilter' | 'convInput'>> = [
  { convFilter: 'matmul', convInput: 'conv' },
  { convFilter: 'conv', convInput: 'convtranspose' },
];

describe('Conv', () => {
  it.each(CASES.flatMap(([label, c]) => FORMULATIONS.map((f) => [`${label} (filter ${f.convFilter}, input ${f.convInput})`, c, f] as const)))('%s', async (label, c, formulations) => {
    await expectGradients(`Conv ${label}`, { inputs: convInputs(c, size(c.x) + size(c.w)), onnx: onnxConv(c), tfjs: tfConv(c), fd: { count: 40 }, formulations });
  });

  it('input gradient alone and filter gradient alone (needs respected)', async () => {
    const c = CASES[5]![1];
    for (const which of ['x', 'w'] as const) {
      const inputs = convInputs(c, 77, { x: which === 'x', w: which === 'w' });
      const report = await expectGradients(`Conv crop wrt ${which} only`, { inputs, onnx: onnxConv(c), tfjs: tfConv(c) });
      expect([...report.grads.keys()].sort()).toEqual([which, 'b'].filter((n) => n !== 'b' || c.bias).sort());
    }
  });

  it('the rows a stride leaves unread get a zero input gradient', async () => {
    const c = CASES[5]![1];
    const report = await expectGradients('Conv unread row', { inputs: convInputs(c, 5), onnx: onnxConv(c), tfjs: tfConv(c) });
    const dx = report.grads.get('x')!;
    const [n, ch, h, w] = c.x;
    for (let k = 0; k < n * ch; k++) {
      for (let j = 0; j < w; j++) expect(dx[k * h * w + (h - 1) * w + j]).toBe(0);
      for (let i = 0; i < h; i++) expect(dx[k * h * w + i * w + (w - 1)]).toBe(0);
    }
  });

  it.each<[string, ConvCase]>([
    ['stride 1', { x: [1, 2, 7, 8], w: [3, 2, 3, 3], strides: [1, 1], pads: [2, 1, 2, 1], dilations: [2, 2], bias: true, out: [7, 6] }],
    ['stride 2, one column unread', { x: [1, 2, 9, 8], w: [3, 2, 3, 3], strides: [2, 2], pads: [1, 1, 1, 1], dilations: [2, 2], bias: false, out: [4, 3] }],
  ])('dilation 2, %s: input and filter gradients against finite differences and tfjs', async (label, c) => {
    // tfjs has no conv2d gradient for dilation > 1: its reference is the same conv with the zero-dilated filter.
    const dilated = (w: tf.Tensor) => {
      const [o, i, kh, kw] = w.shape as [number, number, number, number];
      const rows = tf.reshape(tf.stack([w, tf.zerosLike(w)], 3), [o, i, 2 * kh, kw]).slice([0, 0, 0, 0], [o, i, 2 * kh - 1, kw]);
      return tf.reshape(tf.stack([rows, tf.zerosLike(rows)], 4), [o, i, 2 * kh - 1, 2 * kw]).slice([0, 0, 0, 0], [o, i, 2 * kh - 1, 2 * kw - 1]);
    };
    const plain = tfConv({ ...c, dilations: undefined });
    for (const formulations of FORMULATIONS) {
      await expectGradients(`Conv dilation 2 ${label} (filter ${formulations.convFilter})`, {
        inputs: convInputs(c, 21),
        onnx: onnxConv(c),
        tfjs: (x, w, b) => plain(x!, dilated(w!), b),
        // Every element: with stride 2, dilation 2 and pad 1 only the odd rows and columns are read.
        fd: { count: size(c.x) },
        formulations,
      });
    }
  });

  it('grouped convolutions throw, naming the node', async () => {
    const rand = seededUniform(2);
    const grouped: CheckInput[] = [
      { name: 'x', dims: [1, 4, 5, 5], data: randomArray(100, rand) },
      { name: 'w', dims: [4, 2, 3, 3], data: randomArray(72, rand) },
    ];
    await expect(gradientCheck(grouped, (g, [x, w]) => g.op('Conv', [x!, w!], 'conv', { group: { int: 2 }, kernel_shape: { ints: [3, 3] } }))).rejects.toThrow(
      /Conv node conv\/Conv: gradients of grouped convolutions are not supported/,
    );
  });
});
