/** The CPU reference: the same steps in onnxruntime-node (`createOnnxRuntimeTrainer`), and the measures that compare two runs. */
import * as tf from '@tensorflow/tfjs';
import { createOnnxRuntimeTrainer } from '@levit-unet/onnx/node';
import { BATCH, LR, OPTIMIZER, STEPS, createTinyModel, loadWeights, makeBatch, packWeights, unpackEntry, type PackedWeights } from './fixture.js';

export interface CpuStep {
  loss: number;
  ce: number;
  dice: number;
  applied: boolean;
  ms: number;
}

/** A fresh tiny model on tfjs' cpu backend, and its weights packed. */
export async function initialWeights(): Promise<PackedWeights> {
  if (tf.getBackend() !== 'cpu' && !(await tf.setBackend('cpu'))) throw new Error('tfjs cpu backend did not start');
  await tf.ready();
  const model = createTinyModel();
  const packed = packWeights(model);
  model.dispose();
  return packed;
}

/** `STEPS` steps from `initial` on onnxruntime-node's CPU EP; the final weights after `syncModel`. */
export async function runCpuReference(initial: PackedWeights, threads = 2): Promise<{ steps: CpuStep[]; weights: PackedWeights; sessionMs: number }> {
  if (tf.getBackend() !== 'cpu' && !(await tf.setBackend('cpu'))) throw new Error('tfjs cpu backend did not start');
  const model = createTinyModel();
  loadWeights(model, initial);
  const t0 = performance.now();
  const trainer = await createOnnxRuntimeTrainer(model, { batchSize: BATCH, optimizer: OPTIMIZER, threads });
  const sessionMs = performance.now() - t0;
  const steps: CpuStep[] = [];
  try {
    for (let s = 0; s < STEPS; s++) {
      const t = performance.now();
      const r = await trainer.step(makeBatch(s), LR);
      steps.push({ loss: r.loss, ce: r.ce, dice: r.dice, applied: r.applied, ms: performance.now() - t });
    }
    trainer.syncModel();
  } finally {
    await trainer.dispose();
  }
  const weights = packWeights(model);
  model.dispose();
  return { steps, weights, sessionMs };
}

export interface WeightComparison {
  /** ‖Δa − Δb‖ / ‖Δb‖ over all trainable tensors, Δ = final − initial. */
  trainableDeltaError: number;
  /** ‖Δb‖ over the trainable tensors (how far training moved them). */
  trainableDeltaNorm: number;
  /** max |a − b| / max |b| over the non-trainable float tensors (BatchNorm running statistics). */
  statisticsError: number;
  /** The int32 tensors (num_batches_tracked) that differ. */
  countersDiffer: string[];
  /** Per trainable tensor: ‖Δa − Δb‖ / ‖Δb‖, worst first. */
  worst: Array<{ name: string; error: number }>;
}

/** Compares the final weights `a` (WebGPU) with `b` (CPU), both trained from `initial`. */
export function compareWeights(initial: PackedWeights, a: PackedWeights, b: PackedWeights): WeightComparison {
  const n = initial.manifest.length;
  if (a.manifest.length !== n || b.manifest.length !== n) throw new Error(`weight lists differ in length: ${n}, ${a.manifest.length}, ${b.manifest.length}`);
  let diff2 = 0;
  let ref2 = 0;
  let statDiff = 0;
  let statMax = 0;
  const countersDiffer: string[] = [];
  const worst: Array<{ name: string; error: number }> = [];
  for (let i = 0; i < n; i++) {
    const e = initial.manifest[i]!;
    if (a.manifest[i]!.length !== e.length || b.manifest[i]!.length !== e.length) throw new Error(`weight ${i} (${e.name}) differs in size`);
    const x0 = unpackEntry(initial, e);
    const xa = unpackEntry(a, a.manifest[i]!);
    const xb = unpackEntry(b, b.manifest[i]!);
    if (e.dtype === 'int32') {
      if (xa.some((v, j) => v !== xb[j])) countersDiffer.push(e.name);
      continue;
    }
    if (e.trainable) {
      let d2 = 0;
      let r2 = 0;
      for (let j = 0; j < e.length; j++) {
        const da = xa[j]! - x0[j]!;
        const db = xb[j]! - x0[j]!;
        d2 += (da - db) ** 2;
        r2 += db ** 2;
      }
      diff2 += d2;
      ref2 += r2;
      worst.push({ name: e.name, error: Math.sqrt(d2 / Math.max(r2, 1e-30)) });
    } else {
      for (let j = 0; j < e.length; j++) {
        statDiff = Math.max(statDiff, Math.abs(xa[j]! - xb[j]!));
        statMax = Math.max(statMax, Math.abs(xb[j]!));
      }
    }
  }
  worst.sort((p, q) => q.error - p.error);
  return {
    trainableDeltaError: Math.sqrt(diff2 / ref2),
    trainableDeltaNorm: Math.sqrt(ref2),
    statisticsError: statMax > 0 ? statDiff / statMax : statDiff,
    countersDiffer,
    worst: worst.slice(0, 5),
  };
}
