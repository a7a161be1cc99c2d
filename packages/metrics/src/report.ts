import type { MeanValue, MetricMeans, Summary } from './aggregate.js';
import { className } from './class-names.js';
import { METRIC_NAMES, type MetricName } from './metric-values.js';

/** Options of the text and JSON reports. */
export interface ReportOptions {
  /** Names indexed by class id, e.g. `SYNAPSE_CLASSES` of @levit-unet/datasets; missing names print as `class <id>`. */
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

/** The key of class c in JSON: its name (an identifier such as `kidney_left`), else `class_<c>`. */
function jsonKey(names: readonly string[] | undefined, c: number): string {
  return names?.[c] ?? `class_${c}`;
}

/** `{ <metric>: value }` of the means (null where nothing was defined). */
function jsonMeanValues(means: MetricMeans, metrics: readonly MetricName[]): Record<string, JsonValue> {
  return Object.fromEntries(metrics.map((m) => [m, jsonNumber(means[m].mean)]));
}

/** `{ <metric>: how many undefined values the mean left out }`. */
function jsonExcluded(means: MetricMeans, metrics: readonly MetricName[]): Record<string, number> {
  return Object.fromEntries(metrics.map((m) => [m, means[m].excluded]));
}

/** Options of `summaryToJson`: those of every report plus the protocol tag. */
export interface JsonReportOptions extends ReportOptions {
  /** Names the evaluation protocol, e.g. `transunet-test_single_volume`; written as `protocol` when given. */
  readonly protocol?: string;
  /** Headings indexed by class id (e.g. `Kidney(L)`), written in `classes[].displayName` when given. */
  readonly displayNames?: readonly string[];
}

/**
 * The one JSON schema of an evaluation (a plain, JSON-ready object; undefined values become null). Classes are
 * keyed by their name from `classNames` (identifiers such as `aorta`, `kidney_left`; `class_<id>` without one):
 *
 * ```
 * { protocol?, policy, metrics: [...], classes: [{ id, name, displayName? }],
 *   mean: { dice, hd95, ... },                      // mean over classes of the per-class means (the paper's figure)
 *   perClass: { "<name>": { dice, hd95, ... } },    // mean over cases, per class
 *   cases: [{ name, perClass: { "<name>": { dice, hd95, ... } }, mean: { dice, hd95, ... }, excluded: {...} }],
 *   excluded: { mean: { <metric>: n }, perClass: { "<name>": { <metric>: n } } } }   // undefined values left out
 * ```
 */
export function summaryToJson(summary: Summary, options: JsonReportOptions = {}) {
  const metrics = options.metrics ?? METRIC_NAMES;
  const key = (c: number) => jsonKey(options.classNames, c);
  const keys = summary.classIds.map(key);
  const duplicate = keys.find((k, j) => keys.indexOf(k) !== j);
  if (duplicate !== undefined) throw new Error(`summaryToJson: classNames give two classes the key "${duplicate}"`);
  return {
    ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
    policy: summary.policy,
    metrics: [...metrics],
    classes: summary.classIds.map((id) => ({
      id,
      name: key(id),
      ...(options.displayNames?.[id] !== undefined ? { displayName: options.displayNames[id] } : {}),
    })),
    mean: jsonMeanValues(summary.overall, metrics),
    perClass: Object.fromEntries(summary.classIds.map((c, j) => [key(c), jsonMeanValues(summary.perClass[j], metrics)])),
    cases: summary.cases.map((row) => ({
      name: row.name,
      perClass: Object.fromEntries(
        summary.classIds.map((c, j) => [key(c), Object.fromEntries(metrics.map((m) => [m, jsonNumber(row.classes[j][m])]))]),
      ),
      mean: jsonMeanValues(row.mean, metrics),
      excluded: jsonExcluded(row.mean, metrics),
    })),
    excluded: {
      mean: jsonExcluded(summary.overall, metrics),
      perClass: Object.fromEntries(summary.classIds.map((c, j) => [key(c), jsonExcluded(summary.perClass[j], metrics)])),
    },
  };
}
