import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { findLeViTUNetConfig } from '../model/levit-unet-model.js';
import { getSpec, type LeViTSpec } from '../model/specs.js';
import { slicedBlocksKey, stateDictSlots, type StateDictSlot } from './key-map.js';
import { fromTorchLayout, int64ToInt32, type TensorEntry, type TensorMap } from '@levit-unet/torch-io';

/** Options of `loadStateDict`, as PyTorch's `load_state_dict` (strict, shape mismatches). */
export interface LoadStateDictOptions {
  /** Missing learned weights or unexpected keys are errors (PyTorch `strict=True`). Default true. */
  strict?: boolean;
  /** Skip tensors whose shape differs instead of failing. Default false. */
  allowShapeMismatch?: boolean;
  /** Only keys passing this filter take part (on both sides); the rest are `skipped` / `ignored`. */
  filter?: (key: string) => boolean;
  /** Names the checkpoint in errors. */
  source?: string;
  /**
   * Load weights holding NaN or ±Inf (listed in `report.nonFinite`) instead of refusing them. Default false: a
   * model with NaN weights predicts all background, so such a checkpoint is an error naming the keys and counts.
   */
  allowNonFinite?: boolean;
}

/** A loaded weight with NaN or infinite values. */
export interface NonFiniteWeight {
  key: string;
  nan: number;
  infinite: number;
  size: number;
}

/** A tensor whose shape in the file differs from the model's. */
export interface ShapeMismatch {
  key: string;
  fileShape: number[];
  modelShape: number[];
}

/** What `load_state_dict(strict=False)` reports, and a little more. */
export interface LoadReport {
  loaded: string[];
  /** Model keys the file does not have (attention_bias_idxs are recomputed, so their absence is tolerated). */
  missing: string[];
  /** File keys the model has no place for. */
  unexpected: string[];
  mismatched: ShapeMismatch[];
  /** File keys that are aliases of a loaded key (the 192 file's `blocks.<i>.*`). */
  aliases: string[];
  /** Model keys left out by the filter (they keep their values). */
  skipped: string[];
  /** File keys left out by the filter. */
  ignored: string[];
  /** attention_bias_idxs buffers in the file that were checked against the recomputed tables. */
  verifiedBiasIdxs: number;
  /** Weights with NaN/Inf values (only non-empty with `allowNonFinite`; otherwise they are an error). */
  nonFinite: NonFiniteWeight[];
}

/** NaN and ±Inf counts of a float tensor, or null when every value is finite (or the tensor is integer). */
function nonFiniteCounts(key: string, entry: TensorEntry): NonFiniteWeight | null {
  if (!(entry.data instanceof Float32Array)) return null;
  let nan = 0;
  let infinite = 0;
  for (const v of entry.data) {
    if (v !== v) nan++;
    else if (v === Infinity || v === -Infinity) infinite++;
  }
  return nan + infinite === 0 ? null : { key, nan, infinite, size: entry.data.length };
}

function describeNonFinite(w: NonFiniteWeight): string {
  const parts = [w.nan > 0 ? `${w.nan} NaN` : '', w.infinite > 0 ? `${w.infinite} Inf` : ''].filter(Boolean);
  return `${w.key} (${parts.join(', ')} of ${w.size})`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function sameData(a: TensorEntry, b: TensorEntry): boolean {
  if (a.storage && b.storage && a.storage.key === b.storage.key && a.storage.offset === b.storage.offset) return true;
  if (!sameShape(a.shape, b.shape) || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/**
 * Normalises file keys: LeViT's flat `blocks.<i>.*` become the official `block_<stage>.<i>.*`. When both
 * are present (the 192 file keeps both, sharing storage) they must be the same tensor.
 */
function canonicalise(tensors: TensorMap, spec: LeViTSpec | null, source: string) {
  const byKey = new Map<string, { fileKey: string; entry: TensorEntry }>();
  const aliases: string[] = [];
  for (const [fileKey, entry] of tensors) {
    const key = (spec && slicedBlocksKey(fileKey, spec)) || fileKey;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { fileKey, entry });
      continue;
    }
    if (!sameData(seen.entry, entry)) {
      throw new Error(`${source}: "${fileKey}" and "${seen.fileKey}" name the same parameter (${key}) but hold different values`);
    }
    aliases.push(fileKey);
  }
  return { byKey, aliases };
}

function checkBiasIdxs(slot: Extract<StateDictSlot, { kind: 'attention_bias_idxs' }>, entry: TensorEntry, source: string): void {
  const { index } = slot;
  for (let i = 0; i < index.idxs.length; i++) {
    if (Number(entry.data[i]) !== index.idxs[i]) {
      const q = Math.floor(i / index.numKeys);
      throw new Error(
        `${source}: ${slot.key} disagrees with the offset table this model computes (query ${q}, key ${i % index.numKeys}: file ${entry.data[i]}, computed ${index.idxs[i]}); the checkpoint was made for a different attention resolution or code`,
      );
    }
  }
}

function toTensor(slot: Extract<StateDictSlot, { kind: 'weight' }>, entry: TensorEntry, source: string): tf.Tensor {
  const shape = slot.variable.shape as number[];
  if (slot.integer) {
    const values = entry.data instanceof BigInt64Array ? int64ToInt32(slot.key, entry.data) : Int32Array.from(entry.data as ArrayLike<number>);
    return tf.tensor(values, shape, 'int32');
  }
  if (!(entry.data instanceof Float32Array)) {
    throw new Error(`${source}: ${slot.key} is ${entry.dtype}, expected a floating-point tensor`);
  }
  return tf.tensor(fromTorchLayout(entry.data, entry.shape, slot.layout), shape, 'float32');
}

/**
 * Loads a PyTorch state_dict (official key names and layouts) into a model built from levit-blocks /
 * unet-decoder layers, like `load_state_dict`: everything is checked first, so a failed load leaves the
 * model unchanged. attention_bias_idxs are not loaded but must equal the recomputed tables.
 */
export function loadStateDict(model: LayersModel, tensors: TensorMap, options: LoadStateDictOptions = {}): LoadReport {
  const source = options.source ?? 'state_dict';
  const strict = options.strict ?? true;
  const keep = options.filter ?? (() => true);
  const config = findLeViTUNetConfig(model);
  const { byKey, aliases } = canonicalise(tensors, config ? getSpec(config.variant) : null, source);
  const report: LoadReport = {
    loaded: [],
    missing: [],
    unexpected: [],
    mismatched: [],
    aliases,
    skipped: [],
    ignored: [],
    verifiedBiasIdxs: 0,
    nonFinite: [],
  };
  const assignments: Array<{ slot: Extract<StateDictSlot, { kind: 'weight' }>; entry: TensorEntry }> = [];
  const used = new Set<string>();
  for (const slot of stateDictSlots(model)) {
    if (!keep(slot.key)) {
      report.skipped.push(slot.key);
      continue;
    }
    const found = byKey.get(slot.key);
    if (!found) {
      report.missing.push(slot.key);
      continue;
    }
    used.add(slot.key);
    if (!sameShape(found.entry.shape, slot.torchShape)) {
      report.mismatched.push({ key: slot.key, fileShape: [...found.entry.shape], modelShape: slot.torchShape });
      continue;
    }
    if (slot.kind === 'attention_bias_idxs') {
      checkBiasIdxs(slot, found.entry, source);
      report.verifiedBiasIdxs++;
      continue;
    }
    assignments.push({ slot, entry: found.entry });
  }
  for (const key of byKey.keys()) {
    if (used.has(key)) continue;
    (keep(key) ? report.unexpected : report.ignored).push(byKey.get(key)!.fileKey);
  }
  const problems: string[] = [];
  if (report.mismatched.length > 0 && !options.allowShapeMismatch) {
    const stem = report.mismatched.find((m) => m.key === 'cnn_b4.0.c.weight');
    const hint = stem ? ` (the checkpoint's stem is ${stem.fileShape[0]} wide, this model's ${stem.modelShape[0]}: another variant?)` : '';
    problems.push(
      `shape mismatches (file vs model, PyTorch layout)${hint}: ${summarise(report.mismatched.map((m) => `${m.key} [${m.fileShape}] vs [${m.modelShape}]`))}`,
    );
  }
  const missingWeights = report.missing.filter((key) => !key.endsWith('.attention_bias_idxs'));
  if (strict && missingWeights.length > 0) problems.push(`missing keys: ${summarise(missingWeights)}`);
  if (strict && report.unexpected.length > 0) problems.push(`unexpected keys: ${summarise(report.unexpected)}`);
  for (const { slot, entry } of assignments) {
    const counts = nonFiniteCounts(slot.key, entry);
    if (counts) report.nonFinite.push(counts);
  }
  if (report.nonFinite.length > 0 && !options.allowNonFinite) {
    problems.push(
      `non-finite weights (NaN/Inf) in ${report.nonFinite.length} tensors: ${summarise(report.nonFinite.map(describeNonFinite))} (allowNonFinite loads them anyway)`,
    );
  }
  if (problems.length > 0) throw new Error(`${source}: cannot load into ${model.name}: ${problems.join('; ')}`);

  const tensorsToWrite = assignments.map(({ slot, entry }) => toTensor(slot, entry, source));
  assignments.forEach(({ slot }, i) => {
    slot.variable.write(tensorsToWrite[i]);
    report.loaded.push(slot.key);
  });
  tf.dispose(tensorsToWrite);
  return report;
}

function summarise(items: string[]): string {
  return items.length <= 12 ? items.join(', ') : `${items.slice(0, 12).join(', ')} … (${items.length} in all)`;
}
