import type { MeanValue, MetricMeans, Summary } from './aggregate.js';
import { className } from './class-names.js';
import { METRIC_NAMES, type MetricName } from './metric-values.js';

export interface ReportOptions {
  /** Names indexed by class id, e.g. SYNAPSE_CLASS_NAMES; missing names print as `class <id>`. */
  readonly classNames?: readonly string[];
  /** Columns to print, default all of METRIC_NAMES. */
  readonly metrics?: readonly MetricName[];
  /** Decimal places in Markdown, default 4 (CSV and JSON keep full precision). */
  readonly digits?: number;
  /** Markdown only: add the per-case table after the per-class one (default true). */
  readonly perCase?: boolean;
}

function formatNumber(value: number, digits: number): string {
  return Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
}

function formatMean(value: MeanValue, digits: number): string {
  const text = formatNumber(value.mean, digits);
  return value.excluded > 0 ? `${text} (${value.excluded} excl.)` : text;
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Markdown: the per-class means with the overall mean as the last row, then the per-case table. A mean that left
 * out undefined values (policy `strict`) says how many, e.g. `0.8123 (2 excl.)`; an undefined value prints `n/a`.
 */
export function summaryToMarkdown(summary: Summary, options: ReportOptions = {}): string {
  const metrics = options.metrics ?? METRIC_NAMES;
  const digits = options.digits ?? 4;
  const name = (c: number) => className(options.classNames, c);
  const meansRow = (label: string, means: MetricMeans) => [label, ...metrics.map((m) => formatMean(means[m], digits))];
  const perClass = markdownTable(['class', ...metrics], [
    ...summary.classIds.map((c, j) => meansRow(name(c), summary.perClass[j])),
    meansRow('**mean**', summary.overall),
  ]);
  const heading = `## Per class (mean over ${summary.cases.length} case${summary.cases.length === 1 ? '' : 's'}, policy \`${summary.policy}\`)`;
  if (options.perCase === false) return [heading, '', perClass, ''].join('\n');
  const perCase = markdownTable(
    ['case', 'class', ...metrics],
    summary.cases.flatMap((row) => [
      ...summary.classIds.map((c, j) => [row.name, name(c), ...metrics.map((m) => formatNumber(row.classes[j][m], digits))]),
      [row.name, '**mean**', ...metrics.map((m) => formatMean(row.mean[m], digits))],
    ]),
  );
  return [
    heading,
    '',
    perClass,
    '',
    '## Per case',
    '',
    perCase,
    '',
  ].join('\n');
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV, one row per (case, class) with full-precision values (empty cell = undefined), then one `mean` row per class
 * (mean over cases) and the overall `mean`/`mean` row; when a mean left values out, `excluded` rows give the counts.
 */
export function summaryToCsv(summary: Summary, options: ReportOptions = {}): string {
  const metrics = options.metrics ?? METRIC_NAMES;
  const name = (c: number) => className(options.classNames, c);
  const value = (v: number) => (Number.isNaN(v) ? '' : String(v));
  const lines: string[][] = [['case', 'class_id', 'class', ...metrics]];
  for (const row of summary.cases) {
    summary.classIds.forEach((c, j) => lines.push([row.name, String(c), name(c), ...metrics.map((m) => value(row.classes[j][m]))]));
  }
  const meanLines = summary.classIds.map((c, j) => ({ id: String(c), label: name(c), means: summary.perClass[j] }));
  meanLines.push({ id: '', label: 'mean', means: summary.overall });
  for (const { id, label, means } of meanLines) lines.push(['mean', id, label, ...metrics.map((m) => value(means[m].mean))]);
  if (meanLines.some(({ means }) => metrics.some((m) => means[m].excluded > 0))) {
    for (const { id, label, means } of meanLines) {
      lines.push(['excluded', id, label, ...metrics.map((m) => String(means[m].excluded))]);
    }
  }
  return lines.map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}

type JsonValue = number | null;

function jsonNumber(v: number): JsonValue {
  return Number.isFinite(v) ? v : null;
}

function jsonMeans(means: MetricMeans, metrics: readonly MetricName[]) {
  return Object.fromEntries(
    metrics.map((m) => [m, { mean: jsonNumber(means[m].mean), count: means[m].count, excluded: means[m].excluded }]),
  );
}

/**
 * A plain JSON-ready object (undefined values become null): `{ policy, metrics, classes: [{id, name}], perClass:
 * { "<id>": { name, <metric>: { mean, count, excluded } } }, overall, cases: [{ name, classes: { "<id>": {...} },
 * mean }] }`.
 */
export function summaryToJson(summary: Summary, options: ReportOptions = {}) {
  const metrics = options.metrics ?? METRIC_NAMES;
  const name = (c: number) => className(options.classNames, c);
  return {
    policy: summary.policy,
    metrics: [...metrics],
    classes: summary.classIds.map((id) => ({ id, name: name(id) })),
    perClass: Object.fromEntries(
      summary.classIds.map((c, j) => [String(c), { name: name(c), ...jsonMeans(summary.perClass[j], metrics) }]),
    ),
    overall: jsonMeans(summary.overall, metrics),
    cases: summary.cases.map((row) => ({
      name: row.name,
      classes: Object.fromEntries(
        summary.classIds.map((c, j) => [
          String(c),
          Object.fromEntries(metrics.map((m) => [m, jsonNumber(row.classes[j][m])])),
        ]),
      ),
      mean: jsonMeans(row.mean, metrics),
    })),
  };
}
