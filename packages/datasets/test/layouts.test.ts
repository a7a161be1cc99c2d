import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ACDC_SPLIT,
  acdcListFiles,
  axialPermutation,
  BTCV_TO_SYNAPSE,
  DataError,
  generatePhantomVolume,
  niftiCaseKey,
  normalizeMri,
  pairByCaseKey,
  parseAcdcInfo,
  parseLabelMap,
  parseMsdDatasetJson,
  remapLabels,
  windowIntensities,
} from '../src/index.js';
import { listAcdcFrames, validateDataset, writeAcdcLists, writeNifti } from '../src/node/index.js';
import { sameBytes } from './patterns.js';
import { useTempDir } from './temp-dir.js';

describe('label maps and intensities', () => {
  it('maps BTCV ids to the 8 Synapse organs and everything else to 0', () => {
    const btcv = Int16Array.from({ length: 14 }, (_, i) => i);
    expect(Array.from(remapLabels(btcv, BTCV_TO_SYNAPSE))).toEqual([0, 7, 4, 3, 2, 0, 5, 8, 1, 0, 0, 6, 0, 0]);
    expect(() => remapLabels(new Float32Array([1.5]), BTCV_TO_SYNAPSE, 'x.nii')).toThrow('x.nii: label map has a non-integer value (1.5)');
    expect(parseLabelMap('{"5": 1, "9": 0}')).toEqual({ 5: 1, 9: 0 });
    expect(() => parseLabelMap('{"a": 1}', 'm.json')).toThrow(DataError);
  });

  it('windows CT to [0, 1] and normalises MRI by percentiles', () => {
    expect(Array.from(windowIntensities(new Int16Array([-1000, -125, 75, 275, 3000])))).toEqual([0, 0, 0.5, 1, 1]);
    const mri = Float32Array.from({ length: 1000 }, (_, i) => i);
    const normalised = normalizeMri(mri);
    expect(normalised[0]).toBe(0);
    expect(normalised[999]).toBe(1);
    expect(normalised[500]).toBeCloseTo((500 - 5) / (994 - 5), 5);
  });
});

describe('slice axis from the affine', () => {
  it('keeps axial storage and moves a coronal slice axis first', () => {
    const axial = [
      [-0.7, 0, 0, 0],
      [0, -0.7, 0, 0],
      [0, 0, 2.5, 0],
      [0, 0, 0, 1],
    ];
    expect(axialPermutation(axial)).toEqual([0, 1, 2]);
    // coronal storage: i = x, j = z (slices), k = y
    const coronal = [
      [0.8, 0, 0, 0],
      [0, 0, -3, 0],
      [0, 2.5, 0, 0],
      [0, 0, 0, 1],
    ];
    // C order [nk, nj, ni]: D = j (C axis 1), H = k (y, C axis 0), W = i (x, C axis 2)
    expect(axialPermutation(coronal)).toEqual([1, 0, 2]);
  });
});

describe('phantom', () => {
  it('is deterministic, has all 8 organs with distinct mean HU, and differs between seeds', () => {
    const a = generatePhantomVolume({ seed: 4, shape: [24, 96, 96] });
    const b = generatePhantomVolume({ seed: 4, shape: [24, 96, 96] });
    const c = generatePhantomVolume({ seed: 5, shape: [24, 96, 96] });
    expect(sameBytes(a.image.data, b.image.data)).toBe(true);
    expect(sameBytes(a.label.data, b.label.data)).toBe(true);
    expect(sameBytes(a.label.data, c.label.data)).toBe(false);
    const sums = new Array<number>(9).fill(0);
    const counts = new Array<number>(9).fill(0);
    a.label.data.forEach((l, n) => {
      sums[l]! += a.image.data[n]!;
      counts[l]!++;
    });
    expect(counts.every((n) => n > 0)).toBe(true);
    const means = sums.slice(1).map((s, n) => s / counts[n + 1]!);
    const sorted = [...means].sort((x, y) => x - y);
    // organ means at least 10 HU apart except the two kidneys (same tissue)
    const gaps = sorted.slice(1).map((m, n) => m - sorted[n]!);
    expect(gaps.filter((g) => g < 10)).toHaveLength(1);
  });
});

describe('MSD / nnU-Net layout', () => {
  it('pairs by case key across naming conventions', () => {
    const { pairs, unmatchedImages, unmatchedLabels } = pairByCaseKey(
      ['img0001.nii.gz', 'la_003_0000.nii.gz', 'x.nii', 'notes.txt', 'img0002.nii.gz'],
      ['label0001.nii.gz', 'la_003.nii.gz', 'x_seg.nii', 'label0005.nii.gz'],
    );
    expect(pairs.map((p) => [p.key, p.image, p.label])).toEqual([
      ['0001', 'img0001.nii.gz', 'label0001.nii.gz'],
      ['la_003', 'la_003_0000.nii.gz', 'la_003.nii.gz'],
      ['x', 'x.nii', 'x_seg.nii'],
    ]);
    expect(unmatchedImages).toEqual(['img0002.nii.gz']);
    expect(unmatchedLabels).toEqual(['label0005.nii.gz']);
    expect(niftiCaseKey('patient001_frame01_gt.nii.gz')).toBe('patient001_frame01');
  });

  it('reads MSD v1 and nnU-Net v2 dataset.json', () => {
    const v1 = parseMsdDatasetJson(
      JSON.stringify({ name: 'Task03_Liver', modality: { 0: 'CT' }, labels: { 0: 'background', 1: 'liver', 2: 'cancer' }, training: [{ image: './imagesTr/liver_0.nii.gz', label: './labelsTr/liver_0.nii.gz' }] }),
    );
    expect(v1).toMatchObject({ modality: 'ct', numClasses: 3, training: [{ image: 'imagesTr/liver_0.nii.gz', label: 'labelsTr/liver_0.nii.gz' }] });
    const v2 = parseMsdDatasetJson(JSON.stringify({ channel_names: { 0: 'MRI' }, labels: { background: 0, RV: 1, MLV: 2, LVC: 3 }, file_ending: '.nii.gz' }));
    expect(v2).toMatchObject({ modality: 'mri', numClasses: 4, training: [] });
    expect(() => parseMsdDatasetJson('{', 'dataset.json')).toThrow(/dataset\.json: not valid JSON/);
  });
});

describe('ACDC as distributed', () => {
  const tmp = useTempDir('acdc');

  it('has the 70/10/20 split over patients 1..100 and writes it as list files', async () => {
    const all = [...ACDC_SPLIT.train, ...ACDC_SPLIT.valid, ...ACDC_SPLIT.test].sort((a, b) => a - b);
    expect([ACDC_SPLIT.train.length, ACDC_SPLIT.valid.length, ACDC_SPLIT.test.length]).toEqual([70, 10, 20]);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    await writeAcdcLists(tmp());
    expect((await readFile(join(tmp(), 'valid.txt'), 'utf8')).split('\n')[0]).toBe('patient019');
    expect(acdcListFiles()['test.txt'].trim().split('\n')).toHaveLength(20);
  });

  it('reads Info.cfg and lists the ED/ES frames, and validate-data checks them (labels RV=1, Myo=2, LV=3)', async () => {
    expect(parseAcdcInfo('ED: 1\nES: 12\nGroup: DCM\nHeight: 184.0\nNbFrame: 30\nWeight: 95.0\n')).toEqual({
      ed: 1,
      es: 12,
      group: 'DCM',
      height: 184,
      weight: 95,
      frames: 30,
    });
    expect(() => parseAcdcInfo('Group: NOR', 'Info.cfg')).toThrow('Info.cfg: Info.cfg has no valid "ED" (got nothing)');
    const root = join(tmp(), 'training');
    const dir = join(root, 'patient007');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'Info.cfg'), 'ED: 1\nES: 9\nGroup: NOR\n');
    const image = { data: new Int16Array(2 * 4 * 5), shape: [2, 4, 5], spacing: [10, 1.5, 1.5] };
    const label = { data: new Uint8Array(2 * 4 * 5).fill(3), shape: [2, 4, 5] };
    for (const frame of ['01', '09']) {
      await writeNifti(join(dir, `patient007_frame${frame}.nii.gz`), image);
      await writeNifti(join(dir, `patient007_frame${frame}_gt.nii.gz`), frame === '09' ? { ...label, data: label.data.fill(4) } : label);
    }
    const frames = await listAcdcFrames(tmp());
    expect(frames.map((f) => [f.patient, f.phase, f.frame, f.image.slice(tmp().length)])).toEqual([
      [7, 'ED', 1, '/training/patient007/patient007_frame01.nii.gz'],
      [7, 'ES', 9, '/training/patient007/patient007_frame09.nii.gz'],
    ]);
    const report = await validateDataset(tmp());
    expect(report.layout).toBe('acdc');
    expect(report.problems.map((p) => p.file.slice(tmp().length))).toEqual(['/training/patient007/patient007_frame09_gt.nii.gz']);
    expect(report.problems[0]!.problem).toMatch(/label value 4 .* 0\.\.3/);
  });
});
