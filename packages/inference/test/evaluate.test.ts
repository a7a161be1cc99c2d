import { ACDC_CLASSES, ACDC_DISPLAY_NAMES, SYNAPSE_CLASSES, SYNAPSE_DISPLAY_NAMES, generatePhantomVolume, prepareVolume, resize } from '@levit-unet/datasets';
import { evaluateCase, summarize } from '@levit-unet/metrics';
import { describe, expect, it } from 'vitest';
import { evaluateDataset, evaluationToCsv, evaluationToJson, evaluationToMarkdown, type EvaluationCase } from '../src/index.js';
import { OracleEngine } from './engines.js';

const SHAPE = [6, 40, 40] as const;

function phantomCase(seed: number): EvaluationCase & { label: { data: Uint8Array; shape: number[] } } {
  const phantom = generatePhantomVolume({ seed, shape: SHAPE });
  const prepared = prepareVolume({ ...phantom.image, affine: phantom.affine }, phantom.label);
  return { name: `case${seed}`, image: prepared.image, label: prepared.label, spacingMm: [3, 9.6, 9.6] };
}

const cases = [phantomCase(0), phantomCase(1)];
const names = { classNames: SYNAPSE_CLASSES, displayNames: SYNAPSE_DISPLAY_NAMES };

/** Ground truth → order-0 zoom to the input size → order-0 zoom back, slice by slice (what a perfect network yields). */
function roundTrip(label: { data: Uint8Array; shape: number[] }, inputSize: [number, number]): Uint8Array {
  const [d, h, w] = label.shape as [number, number, number];
  const out = new Uint8Array(d * h * w);
  for (let z = 0; z < d; z++) {
    const slice = { data: label.data.slice(z * h * w, (z + 1) * h * w), shape: [h, w] };
    out.set(resize(resize(slice, inputSize, { order: 0 }), [h, w], { order: 0 }).data, z * h * w);
  }
  return out;
}

describe('evaluateDataset (TransUNet inference())', () => {
  it('scores a perfect engine at the slice size with Dice 1 and HD95 0 for every organ', async () => {
    const engine = new OracleEngine([40, 40], 9, cases.map((c) => c.label));
    const progress: string[] = [];
    const result = await evaluateDataset(engine, cases, { ...names, batchSize: 4, onProgress: (p) => progress.push(`${p.caseName}:${p.slicesDone}/${p.slicesTotal}`) });
    expect(engine.batches).toEqual([4, 2, 4, 2]);
    expect(progress).toEqual(['case0:4/6', 'case0:6/6', 'case1:4/6', 'case1:6/6']);
    expect(result.mean).toEqual({ dice: 1, hd95: 0 });
    expect(result.perClass.map((k) => [k.name, k.dice, k.hd95])).toEqual(SYNAPSE_CLASSES.slice(1).map((n) => [n, 1, 0]));
    expect(result.cases.map((c) => c.name)).toEqual(['case0', 'case1']);
    expect(result.distanceUnit).toBe('voxel');
    expect(result.protocol).toBe('transunet-test_single_volume');
  });

  it('equals metrics computed directly on the resize round trip, averaged over cases then classes', async () => {
    const inputSize: [number, number] = [24, 24];
    const result = await evaluateDataset(new OracleEngine(inputSize, 9, cases.map((c) => c.label)), cases, { ...names, batchSize: 5 });
    const direct = cases.map((c) => evaluateCase({ data: roundTrip(c.label, inputSize), shape: c.label.shape }, c.label, { numClasses: 9 }));
    // TransUNet: metric_list summed over cases / number of cases, then np.mean over classes.
    const perClassDice = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => (direct[0]!.classes[k - 1]!.values.dice + direct[1]!.classes[k - 1]!.values.dice) / 2);
    const perClassHd95 = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => (direct[0]!.classes[k - 1]!.values.hd95 + direct[1]!.classes[k - 1]!.values.hd95) / 2);
    expect(result.perClass.map((k) => k.dice)).toEqual(perClassDice);
    expect(result.perClass.map((k) => k.hd95)).toEqual(perClassHd95);
    expect(result.mean.dice).toBeCloseTo(perClassDice.reduce((a, b) => a + b) / 8, 14);
    expect(result.mean.hd95).toBeCloseTo(perClassHd95.reduce((a, b) => a + b) / 8, 14);
    expect(result.mean.dice).toBeLessThan(1);
    expect(result.mean.hd95).toBeGreaterThan(0);
    expect(result.cases[1]!.evaluation.classes.map((k) => k.values)).toEqual(direct[1]!.classes.map((k) => k.values));
  });

  it("gives distances in mm with spacing 'header'", async () => {
    // A prediction one column off the ground truth: HD95 is 1 voxel = 9.6 mm in-plane.
    const shifted = cases.map((c) => {
      const data = new Uint8Array(c.label.data.length);
      for (let i = 1; i < data.length; i++) data[i] = i % SHAPE[2] === 0 ? 0 : c.label.data[i - 1]!;
      return { data, shape: c.label.shape };
    });
    const voxels = await evaluateDataset(new OracleEngine([40, 40], 9, shifted), cases, names);
    const mm = await evaluateDataset(new OracleEngine([40, 40], 9, shifted), cases, { ...names, spacing: 'header' });
    const direct = summarize(cases.map((c, k) => ({ name: c.name, evaluation: evaluateCase(shifted[k]!, c.label, { numClasses: 9, spacingMm: [3, 9.6, 9.6] }) })));
    expect(mm.mean.hd95).toBe(direct.overall.hd95.mean);
    expect(mm.mean.dice).toBe(voxels.mean.dice);
    expect(mm.mean.hd95).toBeGreaterThan(voxels.mean.hd95 * 5);
    expect(mm.distanceUnit).toBe('mm');
  });

  it('refuses mismatched classes, duplicate names, missing spacing and empty input', async () => {
    const engine = new OracleEngine([40, 40], 9, [cases[0]!.label, cases[0]!.label]);
    await expect(evaluateDataset(engine, cases, { numClasses: 4 })).rejects.toThrow(/data have 4 classes but the oracle model predicts 9/);
    await expect(evaluateDataset(engine, [cases[0]!, cases[0]!])).rejects.toThrow(/two cases are named "case0"/);
    const { spacingMm: _, ...noSpacing } = cases[0]!;
    await expect(evaluateDataset(engine, [noSpacing], { spacing: 'header' })).rejects.toThrow(/case case0: spacing 'header' needs the voxel size/);
    await expect(evaluateDataset(engine, [])).rejects.toThrow(/no cases/);
    const bad = { ...cases[0]!, label: { data: new Uint8Array(10), shape: [1, 2, 5] } };
    await expect(evaluateDataset(engine, [bad])).rejects.toThrow(/case case0: image \[6, 40, 40\] and label \[1, 2, 5\] must be the same/);
  });
});

describe('reports', () => {
  it('metrics.md: the papers’ Synapse column order, then per case', async () => {
    const result = await evaluateDataset(new OracleEngine([24, 24], 9, cases.map((c) => c.label)), cases, names);
    const md = evaluationToMarkdown(result, 'Synapse test');
    const lines = md.split('\n');
    // The LeViT-UNet / TransUNet Synapse table: DSC, HD95, then Aorta … Stomach.
    const header = '| DSC (%) | HD95 (voxels) | Aorta | Gallbladder | Kidney(L) | Kidney(R) | Liver | Pancreas | Spleen | Stomach |';
    const at = lines.indexOf(header);
    expect(at).toBeGreaterThan(0);
    const cells = lines[at + 2]!.split('|').slice(1, -1).map((s) => Number(s.trim()));
    expect(cells[0]).toBeCloseTo(100 * result.mean.dice, 2);
    expect(cells[1]).toBeCloseTo(result.mean.hd95, 2);
    expect(cells.slice(2)).toEqual(result.perClass.map((k) => Number((100 * k.dice).toFixed(2))));
    expect(lines).toContain(`| case | ${header.slice(2)}`);
    expect(lines.some((l) => l.startsWith('| case1 | '))).toBe(true);
  });

  it('metrics.md: ACDC order RV, Myo, LV', async () => {
    const label = { data: Uint8Array.from({ length: 2 * 8 * 8 }, (_, i) => (i >> 3) % 4), shape: [2, 8, 8] };
    const acdc = { name: 'patient002_frame01', image: { data: new Float32Array(128), shape: [2, 8, 8] }, label };
    const result = await evaluateDataset(new OracleEngine([8, 8], 4, [label]), [acdc], { classNames: ACDC_CLASSES, displayNames: ACDC_DISPLAY_NAMES });
    expect(evaluationToMarkdown(result)).toContain('| DSC (%) | HD95 (voxels) | RV | Myo | LV |\n| --- | --- | --- | --- | --- |\n| 100.00 | 0.00 | 100.00 | 100.00 | 100.00 |');
  });

  it('metrics.json: protocol, mean, perClass keyed by organ id, cases; metrics.csv rows', async () => {
    const result = await evaluateDataset(new OracleEngine([24, 24], 9, cases.map((c) => c.label)), cases, names);
    const json = JSON.parse(JSON.stringify(evaluationToJson(result, { extra: { dataset: 'synapse' } })));
    expect(json.protocol).toBe('transunet-test_single_volume');
    expect(json.mean.dice).toBe(result.mean.dice);
    expect(json.mean.hd95).toBe(result.mean.hd95);
    expect(Object.keys(json.perClass)).toEqual(['aorta', 'gallbladder', 'kidney_left', 'kidney_right', 'liver', 'pancreas', 'spleen', 'stomach']);
    expect(json.perClass.kidney_left).toMatchObject({ dice: result.perClass[2]!.dice, hd95: result.perClass[2]!.hd95 });
    expect(json.cases.map((c: { name: string }) => c.name)).toEqual(['case0', 'case1']);
    expect(json.cases[0].perClass.liver.dice).toBe(result.cases[0]!.evaluation.classes[4]!.values.dice);
    expect(json.cases[0].slices).toBe(6);
    expect(json.classes[2]).toEqual({ id: 3, name: 'kidney_left', displayName: 'Kidney(L)' });
    expect(json).toMatchObject({ engine: 'oracle', inputSize: [24, 24], spacing: 'voxel', distanceUnit: 'voxel', policy: 'transunet', dataset: 'synapse' });
    const csv = evaluationToCsv(result, { metrics: ['dice', 'hd95'] }).trim().split('\n');
    expect(csv[0]).toBe('case,class_id,class,dice,hd95');
    expect(csv).toHaveLength(1 + 2 * 8 + 9);
    expect(csv.at(-1)).toBe(`mean,,mean,${result.mean.dice},${result.mean.hd95}`);
  });
});
