/**
 * TransUNet's loss in float64 plain JS, written straight from utils.py (`DiceLoss`) and
 * `nn.CrossEntropyLoss`, as an independent reference for the tfjs implementation.
 * logits: NHWC flat (B·H·W·C), labels: flat (B·H·W).
 */
export function referenceLoss(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number, weights: [number, number] = [0.5, 0.5]) {
  const pixels = labels.length;
  let ce = 0;
  const intersect = new Float64Array(numClasses);
  const zSum = new Float64Array(numClasses);
  const ySum = new Float64Array(numClasses);
  for (let p = 0; p < pixels; p++) {
    let max = -Infinity;
    for (let c = 0; c < numClasses; c++) max = Math.max(max, logits[p * numClasses + c]);
    let denom = 0;
    for (let c = 0; c < numClasses; c++) denom += Math.exp(logits[p * numClasses + c] - max);
    for (let c = 0; c < numClasses; c++) {
      const prob = Math.exp(logits[p * numClasses + c] - max) / denom;
      const t = labels[p] === c ? 1 : 0;
      intersect[c] += prob * t;
      zSum[c] += prob * prob;
      ySum[c] += t * t;
    }
    ce -= logits[p * numClasses + labels[p]] - max - Math.log(denom);
  }
  ce /= pixels;
  let dice = 0;
  for (let c = 0; c < numClasses; c++) dice += 1 - (2 * intersect[c] + 1e-5) / (zSum[c] + ySum[c] + 1e-5);
  dice /= numClasses;
  return { loss: weights[0] * ce + weights[1] * dice, ce, dice };
}
