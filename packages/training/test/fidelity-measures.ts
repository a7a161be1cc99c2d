/** Comparison of a two-step training run with `train-128s/<optimizer>/train_ref.json` (see that README). */

export interface TensorStats {
  n: number;
  sum: number;
  sumsq: number;
  idx: number[];
  val: number[];
}

export interface TrainRef {
  per_step: Array<{ step: number; loss: number; ce: number; dice: number }>;
  grad_norm_step1: Record<string, number>;
  tensors: Record<string, { final: TensorStats; delta?: TensorStats; final_int?: number }>;
}

export interface FidelityMeasures {
  lossRelative: number[];
  ceRelative: number[];
  diceRelative: number[];
  /** Over the tensors whose reference gradient is non-zero. */
  gradNormRelative: Quantiles;
  /** Largest of our gradient norms where the reference's is exactly 0 (branches behind a γ = 0 BatchNorm). */
  gradNormWhereRefZero: number;
  deltaNormRelative: Quantiles;
  /** ‖ours − ref‖ / ‖ref‖ over the sampled `delta.val` of every trainable tensor. */
  sampledDelta: number;
  /**
   * sqrt(Σ_t (‖δ_t‖ − ‖δref_t‖)²) / sqrt(Σ_t ‖δref_t‖²): a lower bound of the README's whole-tensor
   * ‖δ − δref‖ / ‖δref‖ (the reference holds only norms and samples, not whole tensors).
   */
  wholeTensorLowerBound: number;
  runningSumRelative: Quantiles;
  /** `running_var` only: sums of positive values, so relative errors there are meaningful everywhere. */
  runningVarRelative: Quantiles;
  numBatchesTracked: number[];
  comparedTensors: number;
  /** The 5 tensors contributing most to the sampled-delta error: key, Σ(ours − ref)², Σref², ‖δ‖ relative. */
  worstSampled: Array<[string, number, number, number]>;
}

export interface Quantiles {
  median: number;
  p90: number;
  max: number;
}

function quantiles(values: number[]): Quantiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
  return { median: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1]! };
}

const relative = (got: number, ref: number) => Math.abs(got - ref) / Math.abs(ref);

/**
 * `steps`: our per-step losses; `gradNorms`: key → ‖g‖ at step 1; `initial` / `final`: key → float32
 * values in PyTorch layout (exportStateDict) before and after the two steps; `counters`: integer keys.
 */
export function measureFidelity(
  ref: TrainRef,
  steps: Array<{ loss: number; ce: number; dice: number }>,
  gradNorms: Map<string, number>,
  initial: Map<string, Float32Array>,
  final: Map<string, Float32Array>,
  counters: Map<string, number>,
): FidelityMeasures {
  const trainable = Object.keys(ref.grad_norm_step1);
  const missing = trainable.filter((key) => !gradNorms.has(key) || !final.has(key));
  if (missing.length) throw new Error(`no gradient or final value for ${missing.length} trainable keys, e.g. ${missing.slice(0, 3)}`);
  const nonZero = trainable.filter((key) => ref.grad_norm_step1[key] !== 0);
  const deltaNorms: number[] = [];
  const perTensor: Array<[string, number, number, number]> = [];
  let sampledNum = 0;
  let sampledDen = 0;
  let boundNum = 0;
  let boundDen = 0;
  for (const key of trainable) {
    const delta = ref.tensors[key]!.delta!;
    const a = final.get(key)!;
    const b = initial.get(key)!;
    if (a.length !== delta.n) throw new Error(`${key}: ${a.length} values, the reference has ${delta.n}`);
    let sumsq = 0;
    for (let i = 0; i < a.length; i++) sumsq += (a[i]! - b[i]!) ** 2;
    const norm = Math.sqrt(sumsq);
    const refNorm = Math.sqrt(delta.sumsq);
    deltaNorms.push(relative(norm, refNorm));
    boundNum += (norm - refNorm) ** 2;
    boundDen += delta.sumsq;
    let tensorNum = 0;
    let tensorDen = 0;
    delta.idx.forEach((i, n) => {
      tensorNum += (a[i]! - b[i]! - delta.val[n]!) ** 2;
      tensorDen += delta.val[n]! ** 2;
    });
    sampledNum += tensorNum;
    sampledDen += tensorDen;
    perTensor.push([key, tensorNum, tensorDen, relative(norm, refNorm)]);
  }
  const running: number[] = [];
  const runningVar: number[] = [];
  const tracked: number[] = [];
  for (const [key, stats] of Object.entries(ref.tensors)) {
    if (/running_(mean|var)$/.test(key)) {
      const values = final.get(key);
      if (!values) throw new Error(`${key}: missing from the exported state_dict`);
      const error = relative(values.reduce((s, v) => s + v, 0), stats.final.sum);
      running.push(error);
      if (key.endsWith('running_var')) runningVar.push(error);
    }
    if (key.endsWith('num_batches_tracked')) tracked.push(counters.get(key) ?? NaN);
  }
  return {
    lossRelative: steps.map((s, i) => relative(s.loss, ref.per_step[i]!.loss)),
    ceRelative: steps.map((s, i) => relative(s.ce, ref.per_step[i]!.ce)),
    diceRelative: steps.map((s, i) => relative(s.dice, ref.per_step[i]!.dice)),
    gradNormRelative: quantiles(nonZero.map((key) => relative(gradNorms.get(key)!, ref.grad_norm_step1[key]!))),
    gradNormWhereRefZero: Math.max(0, ...trainable.filter((key) => ref.grad_norm_step1[key] === 0).map((key) => gradNorms.get(key)!)),
    deltaNormRelative: quantiles(deltaNorms),
    sampledDelta: Math.sqrt(sampledNum / sampledDen),
    wholeTensorLowerBound: Math.sqrt(boundNum / boundDen),
    runningSumRelative: quantiles(running),
    runningVarRelative: quantiles(runningVar),
    numBatchesTracked: [...new Set(tracked)],
    comparedTensors: trainable.length,
    worstSampled: perTensor.sort((x, y) => y[1] - x[1]).slice(0, 5),
  };
}
