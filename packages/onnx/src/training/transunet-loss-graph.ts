import type { OnnxGraphBuilder } from '../onnx-graph-builder.js';

/** TransUNet's Dice smoothing (`utils.DiceLoss._dice_loss`: smooth = 1e-5). */
const DICE_SMOOTH = 1e-5;

/** The three scalars of TransUNet's loss in a graph. */
export interface TransUNetLossValues {
  loss: string;
  ce: string;
  dice: string;
}

/**
 * TransUNet's `w0·CrossEntropyLoss + w1·DiceLoss(softmax=True)` on NCHW logits (B, K, H, W) and one-hot
 * targets of the same shape, as `transunetLoss` of @levit-unet/training computes it:
 * - ce = mean over pixels of −Σ_k t_k·log softmax(logits)_k;
 * - dice = mean over every class k (background too) of 1 − (2·Σ p_k·t_k + 1e-5) / (Σ p_k² + Σ t_k² + 1e-5),
 *   p = softmax over classes, sums over the whole batch.
 */
export function emitTransUNetLoss(g: OnnxGraphBuilder, logits: string, oneHot: string, weights: readonly [number, number]): TransUNetLossValues {
  const name = 'loss';
  const [batch, , height, width] = g.shape(logits) as [number, number, number, number];
  // Σ over one axis at a time, innermost first: ≤ 224 terms per float32 sum (as transunetLoss does on tfjs).
  const sumAxes = (x: string, axes: number[]) => axes.reduce((acc, axis) => g.op('ReduceSum', [acc, g.int64s([axis], 'axes')], name, { keepdims: { int: 0 } }), x);
  const logProbabilities = g.op('LogSoftmax', [logits], name, { axis: { int: 1 } });
  const picked = sumAxes(g.op('Mul', [oneHot, logProbabilities], name), [1]);
  const ce = g.op('Neg', [g.op('Mul', [sumAxes(picked, [2, 1, 0]), g.scalar(1 / (batch * height * width))], name)], name);

  const p = g.op('Softmax', [logits], name, { axis: { int: 1 } });
  const sum = (x: string) => sumAxes(x, [3, 2, 0]);
  const intersection = sum(g.op('Mul', [p, oneHot], name));
  const predicted = sum(g.op('Mul', [p, p], name));
  const target = sum(g.op('Mul', [oneHot, oneHot], name));
  const smooth = g.scalar(DICE_SMOOTH);
  const numerator = g.op('Add', [g.op('Mul', [intersection, g.scalar(2)], name), smooth], name);
  const denominator = g.op('Add', [g.op('Add', [predicted, target], name), smooth], name);
  const perClass = g.op('Sub', [g.scalar(1), g.op('Div', [numerator, denominator], name)], name);
  const dice = g.op('ReduceMean', [perClass], name, { keepdims: { int: 0 } });

  const loss = g.op('Add', [g.op('Mul', [ce, g.scalar(weights[0])], name), g.op('Mul', [dice, g.scalar(weights[1])], name)], name);
  return { loss, ce, dice };
}
