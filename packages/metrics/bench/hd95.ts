/**
 * Benchmark: every metric for all 8 Synapse organs of a 512×512×150 label volume pair, single-threaded.
 * Prints one JSON line: the best and first of several runs, with the time of each step and each class.
 * Run with `pnpm --filter @levit-unet/metrics bench` (add `-- --runs 5` for more runs).
 */
import { takeCensus } from '../src/census.js';
import { evaluateCase, evaluateClass } from '../src/evaluate.js';
import { toGrid } from '../src/grid.js';
import { assertLabelMapPair } from '../src/label-map.js';
import { SYNAPSE_CLASSES } from '@levit-unet/datasets';
import { makePhantom } from './phantom.js';
import { Workspace } from '../src/workspace.js';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 3;
const spacingMm = process.argv.includes('--spacing') ? [3, 0.76, 0.76] : undefined;
const numClasses = 9;

const t0 = performance.now();
const { shape, gt, pred } = makePhantom(1234);
const phantomMs = performance.now() - t0;
const predMap = { data: pred, shape };
const gtMap = { data: gt, shape };

interface Run {
  totalMs: number;
  validateMs: number;
  censusMs: number;
  classMs: Record<string, number>;
}

function timedRun(): Run {
  const start = performance.now();
  assertLabelMapPair(predMap, gtMap, numClasses);
  const validated = performance.now();
  const grid = toGrid(shape, spacingMm);
  const census = takeCensus(pred, gt, grid.dims, numClasses);
  const censused = performance.now();
  const workspace = new Workspace();
  const classMs: Record<string, number> = {};
  let last = censused;
  for (let c = 1; c < numClasses; c++) {
    evaluateClass(pred, gt, grid, census, c, 'transunet', workspace);
    const now = performance.now();
    classMs[SYNAPSE_CLASSES[c]] = round(now - last);
    last = now;
  }
  return { totalMs: round(last - start), validateMs: round(validated - start), censusMs: round(censused - validated), classMs };
}

function roundTo(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

function round(ms: number): number {
  return roundTo(ms, 1);
}

const all: Run[] = [];
for (let r = 0; r < runs; r++) all.push(timedRun());
const best = all.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));

const e2eStart = performance.now();
const result = evaluateCase(predMap, gtMap, { numClasses, ...(spacingMm ? { spacingMm } : {}) });
const evaluateCaseMs = round(performance.now() - e2eStart);

console.log(
  JSON.stringify({
    bench: 'hd95',
    shape,
    spacingMm: spacingMm ?? null,
    classes: numClasses - 1,
    node: process.version,
    runs,
    firstRunMs: all[0].totalMs,
    best,
    evaluateCaseMs,
    phantomMs: round(phantomMs),
    hd95: Object.fromEntries(result.classes.map((k) => [SYNAPSE_CLASSES[k.classId], roundTo(k.values.hd95, 3)])),
    gtVoxels: Object.fromEntries(result.classes.map((k) => [SYNAPSE_CLASSES[k.classId], k.counts.gtVoxels])),
    dice: Object.fromEntries(result.classes.map((k) => [SYNAPSE_CLASSES[k.classId], roundTo(k.values.dice, 4)])),
  }),
);
