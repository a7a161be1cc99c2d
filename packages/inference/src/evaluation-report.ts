import { METRIC_NAMES, summaryToCsv, summaryToJson, type MetricName } from '@levit-unet/metrics';
import type { DatasetEvaluation } from './evaluate-dataset.js';

/** Options of the JSON, Markdown and CSV reports of an evaluation. */
export interface EvaluationReportOptions {
  /** Metrics in JSON and CSV (default all of METRIC_NAMES; Markdown always shows the papers' DSC and HD95). */
  metrics?: readonly MetricName[];
  /** Extra top-level JSON fields (dataset, split, model ...), written after the schema's own. */
  extra?: Record<string, unknown>;
}

/**
 * `metrics.json`: the metrics package's one evaluation schema (`summaryToJson`: `protocol`, `mean`,
 * `perClass` keyed by class name, `cases` ...) plus how the figures were made (`engine`, `inputSize`,
 * `spacing`, `distanceUnit`) and each case's slice count and ms per slice.
 */
export function evaluationToJson(result: DatasetEvaluation, options: EvaluationReportOptions = {}) {
  const json = summaryToJson(result.summary, {
    protocol: result.protocol,
    classNames: result.classNames,
    displayNames: result.displayNames,
    metrics: options.metrics ?? METRIC_NAMES,
  });
  return {
    ...json,
    engine: result.engine,
    inputSize: [...result.inputSize],
    spacing: result.spacing,
    distanceUnit: result.distanceUnit,
    cases: json.cases.map((row, k) => ({ ...row, slices: result.cases[k]!.slices, msPerSlice: result.cases[k]!.msPerSlice })),
    ...options.extra,
  };
}

/** Full-precision CSV, one row per (case, class), then the means (metrics' `summaryToCsv`, classes by name). */
export function evaluationToCsv(result: DatasetEvaluation, options: EvaluationReportOptions = {}): string {
  return summaryToCsv(result.summary, { classNames: result.classNames, metrics: options.metrics ?? METRIC_NAMES });
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

/** Dice as the papers print it: a percentage with 2 decimals. */
const percent = (dice: number) => (Number.isFinite(dice) ? (100 * dice).toFixed(2) : 'n/a');
const distance = (hd95: number) => (Number.isFinite(hd95) ? hd95.toFixed(2) : 'n/a');

/**
 * `metrics.md` in the papers' layout: one row of DSC (%), HD95 and the per-class DSC (%) in label order
 * (Synapse: Aorta, Gallbladder, Kidney(L), Kidney(R), Liver, Pancreas, Spleen, Stomach; ACDC: RV, Myo, LV),
 * then the same columns per case, then the per-class HD95.
 */
export function evaluationToMarkdown(result: DatasetEvaluation, title = 'Evaluation'): string {
  const { summary } = result;
  const unit = result.distanceUnit === 'mm' ? 'mm' : 'voxels';
  const organs = summary.classIds.map((id) => result.displayNames[id]!);
  const header = ['DSC (%)', `HD95 (${unit})`, ...organs];
  const main = table(header, [
    [percent(summary.overall.dice.mean), distance(summary.overall.hd95.mean), ...summary.perClass.map((m) => percent(m.dice.mean))],
  ]);
  const perCase = table(
    ['case', ...header],
    summary.cases.map((c) => [c.name, percent(c.mean.dice.mean), distance(c.mean.hd95.mean), ...c.classes.map((v) => percent(v.dice))]),
  );
  const hd95 = table(organs, [summary.perClass.map((m) => distance(m.hd95.mean))]);
  const cases = summary.cases.length;
  return [
    `# ${title}`,
    '',
    `Protocol \`${result.protocol}\` (TransUNet test_single_volume: slices resized to ${result.inputSize.join('×')} with ` +
      `order-3 splines, argmax, back with order 0; 3-D metrics per case), ${cases} case${cases === 1 ? '' : 's'}, ` +
      `policy \`${result.policy}\`, distances in ${unit}, engine ${result.engine}. DSC and HD95 are the means over ` +
      'classes of the per-class means over cases.',
    '',
    main,
    '',
    '## Per case',
    '',
    perCase,
    '',
    `## HD95 per class (${unit})`,
    '',
    hd95,
    '',
  ].join('\n');
}
