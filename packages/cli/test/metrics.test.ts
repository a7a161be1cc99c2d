import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNifti } from '@levit-unet/datasets/node';
import { evaluateCase, METRIC_NAMES, type ClassEvaluation } from '@levit-unet/metrics';
import { runCliCaptured } from './run-cli.js';

// Label maps in readNifti's order [nk, nj, ni], with anisotropic spacing [dk, dj, di] = [3, 0.8, 0.7] mm.
const shape = [6, 10, 12];
const spacingKji = [3, 0.8, 0.7];

function labels(paint: (k: number, j: number, i: number) => number): Uint8Array {
  const data = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let k = 0; k < shape[0]; k++)
    for (let j = 0; j < shape[1]; j++) for (let i = 0; i < shape[2]; i++) data[(k * shape[1] + j) * shape[2] + i] = paint(k, j, i);
  return data;
}

// Class 1: a box, shifted by one voxel along i in the prediction; class 2: a ball, missed by the prediction;
// class 3: absent from the ground truth, predicted in a corner (a false positive).
const gt = labels((k, j, i) => (k >= 1 && k < 4 && j >= 2 && j < 7 && i >= 2 && i < 8 ? 1 : (k - 3) ** 2 + (j - 7) ** 2 + (i - 9) ** 2 <= 2 ? 2 : 0));
const pred = labels((k, j, i) => (k >= 1 && k < 4 && j >= 2 && j < 7 && i >= 3 && i < 9 ? 1 : k === 0 && j === 0 && i < 2 ? 3 : 0));

let dir: string;
let predPath: string;
let gtPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'levit-unet-cli-metrics-'));
  predPath = join(dir, 'pred.nii.gz');
  gtPath = join(dir, 'gt.nii');
  await writeNifti(predPath, { data: pred, shape, spacing: spacingKji });
  await writeNifti(gtPath, { data: gt, shape, spacing: spacingKji });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});


const cliWith = (numClasses: string, args: string[]) =>
  runCliCaptured('metrics', '--pred', predPath, '--gt', gtPath, '--num-classes', numClasses, ...args);
const cli = (...args: string[]) => cliWith('4', args);

/** The one case's per-class values in the metrics JSON (keys `class_<id>` without class names). */
function expectJsonMatches(json: { cases: Array<{ perClass: Record<string, Record<string, number | null>> }> }, classes: readonly ClassEvaluation[]): void {
  for (const k of classes) {
    for (const m of METRIC_NAMES) {
      const want = Number.isNaN(k.values[m]) ? null : k.values[m];
      expect(json.cases[0]!.perClass[`class_${k.classId}`]![m], `class ${k.classId} ${m}`).toBe(want);
    }
  }
}

describe('levit-unet metrics', () => {
  it('prints the per-class JSON of the metrics API, in voxels by default, with the means', async () => {
    const { code, stdout } = await cli('--json');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    const expected = evaluateCase({ data: pred, shape }, { data: gt, shape }, { numClasses: 4 });
    expectJsonMatches(json, expected.classes);
    expect(Object.keys(json.perClass)).toEqual(['class_1', 'class_2', 'class_3']);
    // TransUNet policy: box shifted by one voxel of a 6-voxel side → Dice 5/6, HD95 ≤ 1; missed → (0, 0); FP → (1, 0).
    const c = json.perClass;
    expect(c.class_1.dice).toBeCloseTo(5 / 6, 12);
    expect([c.class_2.dice, c.class_2.hd95, c.class_3.dice, c.class_3.hd95]).toEqual([0, 0, 1, 0]);
    expect(json.mean.dice).toBeCloseTo((5 / 6 + 0 + 1) / 3, 12);
  });

  it('uses the NIfTI pixdim for a bare --spacing, and i,j,k order for an explicit one', async () => {
    // pixdim is stored as float32.
    const pixdim = spacingKji.map(Math.fround);
    const fromHeader = evaluateCase({ data: pred, shape }, { data: gt, shape }, { numClasses: 4, spacingMm: pixdim });
    const bare = JSON.parse((await cli('--spacing', '--json')).stdout);
    expectJsonMatches(bare, fromHeader.classes);
    const expected = evaluateCase({ data: pred, shape }, { data: gt, shape }, { numClasses: 4, spacingMm: spacingKji });
    const explicit = JSON.parse((await cli('--json', '--spacing', '0.7,0.8,3')).stdout);
    expectJsonMatches(explicit, expected.classes);
    // One voxel along i is 0.7 mm: the shifted box is at most 0.7 mm off.
    expect(explicit.perClass.class_1.hd).toBeCloseTo(0.7, 12);
  });

  it('applies the strict policy, with null for undefined values and their count', async () => {
    const { stdout } = await cli('--json', '--policy', 'strict');
    const json = JSON.parse(stdout);
    const expected = evaluateCase({ data: pred, shape }, { data: gt, shape }, { numClasses: 4, policy: 'strict' });
    expectJsonMatches(json, expected.classes);
    const c3 = json.cases[0].perClass.class_3;
    expect(c3.dice).toBe(0);
    expect(c3.hd95).toBeCloseTo(Math.hypot(5, 9, 11), 12);
    expect(c3.sensitivity).toBeNull();
    expect(json.excluded.mean.sensitivity).toBe(1);
  });

  it('prints a Markdown table with class names', async () => {
    const { code, stdout } = await cli('--class-names', 'synapse');
    expect(code).toBe(0);
    expect(stdout).toContain('distances in voxels');
    expect(stdout).toMatch(/\| Aorta \| 0\.8333 \|/);
    expect(stdout).toContain('| **mean** |');
  });

  it('fails with one clear line on bad options and bad labels', async () => {
    const spacing = await cli('--spacing', '1,2');
    expect(spacing.code).not.toBe(0);
    expect(spacing.stderr).toContain('--spacing must be three positive numbers');
    const policy = await cli('--policy', 'lenient');
    expect(policy.code).toBe(1);
    expect(policy.stderr).toContain("argument 'lenient' is invalid. Allowed choices are transunet, strict");
    const range = await cliWith('3', []);
    expect(range.code).toBe(1);
    expect(range.stderr).toMatch(/pred\.data\[\d+\] = 3 is out of range/);
  });
});

describe('levit-unet metrics compares the two images\' affines', () => {
  const [nk, nj, ni] = shape as [number, number, number];
  const [dk, dj, di] = spacingKji as [number, number, number];
  const gtAffine = [
    [di, 0, 0, 0],
    [0, dj, 0, 0],
    [0, 0, dk, 0],
    [0, 0, 0, 1],
  ];
  const voxelwise = (data: Uint8Array) => evaluateCase({ data, shape }, { data: gt, shape }, { numClasses: 4 });
  const run = (path: string, ...args: string[]) =>
    runCliCaptured('metrics', '--pred', path, '--gt', gtPath, '--num-classes', '4', '--json', ...args);

  it('reorients a prediction stored with a flipped j axis and the matching affine, scoring as the original', async () => {
    const flipped = new Uint8Array(pred.length);
    for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) flipped[(k * nj + j) * ni + i] = pred[(k * nj + (nj - 1 - j)) * ni + i]!;
    const path = join(dir, 'flipped.nii.gz');
    const affine = gtAffine.map((row) => [...row]);
    affine[1] = [0, -dj, 0, (nj - 1) * dj];
    await writeNifti(path, { data: flipped, shape, spacing: spacingKji, affine });
    const result = await run(path);
    expect(result.code, result.stderr).toBe(0);
    expectJsonMatches(JSON.parse(result.stdout), voxelwise(pred).classes);
    expect(result.stderr).toContain('reoriented onto');
    // Voxel by voxel, the flipped map is misaligned: its Dice for class 1 is lower.
    const ignored = JSON.parse((await run(path, '--ignore-affine')).stdout);
    expectJsonMatches(ignored, voxelwise(flipped).classes);
    expect(ignored.perClass.class_1.dice).toBeLessThan(5 / 6);
  });

  it('reorients a prediction stored with its i and j axes swapped', async () => {
    // pred voxel (i', j', k) is gt voxel (j', i', k): array [nk, ni, nj].
    const swapped = new Uint8Array(pred.length);
    for (let k = 0; k < nk; k++) for (let jp = 0; jp < ni; jp++) for (let ip = 0; ip < nj; ip++) swapped[(k * ni + jp) * nj + ip] = pred[(k * nj + ip) * ni + jp]!;
    const path = join(dir, 'swapped.nii');
    const affine = [
      [0, di, 0, 0],
      [dj, 0, 0, 0],
      [0, 0, dk, 0],
      [0, 0, 0, 1],
    ];
    await writeNifti(path, { data: swapped, shape: [nk, ni, nj], spacing: [dk, di, dj], affine });
    const result = await run(path);
    expect(result.code, result.stderr).toBe(0);
    expectJsonMatches(JSON.parse(result.stdout), voxelwise(pred).classes);
  });

  it('refuses affines that differ otherwise, naming both files and --ignore-affine, which overrides it', async () => {
    const path = join(dir, 'shifted.nii');
    const affine = gtAffine.map((row) => [...row]);
    affine[0]![3] = di; // one voxel along i
    await writeNifti(path, { data: pred, shape, spacing: spacingKji, affine });
    const refused = await run(path);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      new RegExp(`^levit-unet: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} and .*gt\\.nii are not on the same voxel grid \\(the grids are shifted by -?1 voxels along gt axis i\\).*--ignore-affine`),
    );
    const ignored = await run(path, '--ignore-affine');
    expect(ignored.code).toBe(0);
    expectJsonMatches(JSON.parse(ignored.stdout), voxelwise(pred).classes);
  });

  it('passes --connectivity to the metrics and refuses absurd class counts before reading anything', async () => {
    const c3 = JSON.parse((await cli('--json', '--connectivity', '3')).stdout);
    expectJsonMatches(c3, evaluateCase({ data: pred, shape }, { data: gt, shape }, { numClasses: 4, connectivity: 3 }).classes);
    const huge = await cliWith('30000', []);
    expect(huge.code).toBe(1);
    expect(huge.stderr).toContain('--num-classes must be an integer from 2 to 4096 (background included), got "30000"');
    const bad = await cli('--connectivity', '6');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("argument '6' is invalid. Allowed choices are 1, 2, 3");
  });
});
