import type { CaseEvaluation } from './evaluate.js';
import { METRIC_NAMES, type MetricName, type MetricValues } from './metric-values.js';
import type { PolicyName } from './policies.js';

/** A mean over the defined (non-NaN) values; `excluded` counts the NaN ones left out. NaN when nothing is defined. */
export interface MeanValue {
  readonly mean: number;
  readonly count: number;
  readonly excluded: number;
}

/** The mean of every metric (over cases, or over classes). */
export type MetricMeans = Readonly<Record<MetricName, MeanValue>>;

/** One case of a summary: its name and its values per class. */
export interface CaseRow {
  readonly name: string;
  /** Values per class, aligned with `Summary.classIds`. */
  readonly classes: readonly MetricValues[];
  /** Mean over the classes of this case (TransUNet's per-case log line, `transunet_mean`). */
  readonly mean: MetricMeans;
}

/**
 * The per-case × per-class table and its means, as TransUNet's `test.py` computes them: per class the mean over
 * cases, overall the mean of the per-class means. Under `transunet` nothing is NaN so every count is complete;
 * under `strict` NaN values are left out of every mean and counted in `excluded`.
 */
export interface Summary {
  readonly policy: PolicyName;
  readonly classIds: readonly number[];
  readonly cases: readonly CaseRow[];
  /** Mean over cases per class, aligned with `classIds`. */
  readonly perClass: readonly MetricMeans[];
  /** Mean over classes of the per-class means. */
  readonly overall: MetricMeans;
}

export function meanOf(values: readonly number[]): MeanValue {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    count++;
  }
  return { mean: count === 0 ? NaN : sum / count, count, excluded: values.length - count };
}

function meansOf(rows: readonly MetricValues[]): MetricMeans {
  return Object.fromEntries(METRIC_NAMES.map((m) => [m, meanOf(rows.map((r) => r[m]))])) as Record<
    MetricName,
    MeanValue
  >;
}

/** Summarises named case evaluations, which must share their policy and scored classes. */
export function summarize(cases: readonly { readonly name: string; readonly evaluation: CaseEvaluation }[]): Summary {
  if (cases.length === 0) throw new Error('summarize needs at least one case');
  const first = cases[0].evaluation;
  const classIds = first.classes.map((k) => k.classId);
  for (const { name, evaluation } of cases) {
    if (evaluation.policy !== first.policy) {
      throw new Error(`case ${name} uses policy ${evaluation.policy}, but ${cases[0].name} uses ${first.policy}`);
    }
    const ids = evaluation.classes.map((k) => k.classId);
    if (ids.join() !== classIds.join()) {
      throw new Error(`case ${name} scores classes [${ids}], but ${cases[0].name} scores [${classIds}]`);
    }
  }
  const rows: CaseRow[] = cases.map(({ name, evaluation }) => {
    const classes = evaluation.classes.map((k) => k.values);
    return { name, classes, mean: meansOf(classes) };
  });
  const perClass = classIds.map((_, j) => meansOf(rows.map((row) => row.classes[j])));
  const overall = Object.fromEntries(
    METRIC_NAMES.map((m) => [m, meanOf(perClass.map((means) => means[m].mean))]),
  ) as Record<MetricName, MeanValue>;
  return { policy: first.policy, classIds, cases: rows, perClass, overall };
}
