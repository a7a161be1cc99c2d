import { encodeNifti, parseNifti, transpose, windowIntensities } from '@levit-unet/datasets';
import { describe, expect, it } from 'vitest';
import { classVolumesMl, countClassVoxels, encodeScanLabels, scanToNetworkInput, segmentScan } from '../src/index.js';
import { OracleEngine, ThresholdEngine, thresholdLabel } from './engines.js';
import { phantomScan, sagittalCopy, type PhantomScan } from './scratch.js';

/** The scan as a page holds it: NIfTI bytes, gzipped, decoded by `parseNifti` (no file system). */
function inMemory(scan: PhantomScan) {
  const bytes = encodeNifti({ ...scan.image, spacing: scan.spacing, affine: scan.affine }, { gzip: true });
  return parseNifti(bytes, 'scan.nii.gz');
}

describe('segmentScan (browser-safe)', () => {
  const axial = phantomScan(11, [5, 32, 32]);

  it('labels = the engine on the windowed CT, on the scan’s own grid; class voxels counted', async () => {
    const volume = inMemory(axial);
    const result = await segmentScan(new ThresholdEngine([32, 32]), volume, { batchSize: 2 });
    const expected = Array.from(windowIntensities(axial.image.data, [-125, 275]), thresholdLabel);
    expect(result.labels.shape).toEqual([5, 32, 32]);
    expect(Array.from(result.labels.data)).toEqual(expected);
    expect(result.classVoxels).toEqual([0, 1, 2].map((c) => expected.filter((v) => v === c).length));
    expect(result.msPerSlice).toBeGreaterThan(0);
  });

  it('a sagittally stored scan is sliced axially and its labels come back in its storage order', async () => {
    const sagittal = inMemory(sagittalCopy(axial));
    const input = scanToNetworkInput(sagittal);
    // The axial stack of the sagittal copy is the axial scan again, windowed.
    expect(input.shape).toEqual([5, 32, 32]);
    expect(Array.from(input.data)).toEqual(Array.from(windowIntensities(axial.image.data, [-125, 275])));
    const result = await segmentScan(new ThresholdEngine([32, 32]), sagittal);
    const expected = Uint8Array.from(windowIntensities(axial.image.data, [-125, 275]), thresholdLabel);
    expect(Array.from(result.axialLabels.data)).toEqual(Array.from(expected));
    expect(result.labels.shape).toEqual(sagittal.shape);
    expect(Array.from(result.labels.data)).toEqual(Array.from(transpose({ data: expected, shape: [5, 32, 32] }, [1, 2, 0]).data));
  });

  it('resizes to the engine’s input and back: a perfect engine returns the ground truth', async () => {
    const volume = inMemory(axial);
    const result = await segmentScan(new OracleEngine([64, 48], 9, [axial.label]), volume);
    expect(Array.from(result.labels.data)).toEqual(Array.from(axial.label.data));
  });

  it('encodeScanLabels keeps the scan’s affine, spacing and header fields', async () => {
    const volume = inMemory(sagittalCopy(axial));
    const { labels } = await segmentScan(new ThresholdEngine([32, 32]), volume);
    for (const gzip of [false, true]) {
      const mask = parseNifti(encodeScanLabels(labels, volume, { gzip }), 'mask.nii');
      expect(mask.data).toBeInstanceOf(Uint8Array);
      expect(Array.from(mask.data)).toEqual(Array.from(labels.data));
      expect(mask.shape).toEqual(volume.shape);
      expect(mask.affine).toEqual(volume.affine);
      expect(mask.spacing).toEqual(volume.spacing);
      expect(mask.header.fields.sform_code).toBe(volume.header.fields.sform_code);
    }
  });

  it('refuses a scan that is not 3-D, naming it', () => {
    const flat = parseNifti(encodeNifti({ data: new Int16Array(16), shape: [4, 4] }), 'flat.nii');
    expect(() => scanToNetworkInput(flat, {}, 'flat.nii')).toThrow(/^flat\.nii: expected a 3-D scan, got shape \[4, 4\]$/);
  });

  it('class volumes in mL: voxels × the voxel volume in mm³ / 1000', () => {
    expect(countClassVoxels(Uint8Array.from([0, 2, 2, 1, 2]), 4)).toEqual([1, 1, 3, 0]);
    expect(classVolumesMl([1000, 37], [3, 3, 3])).toEqual([27, 0.999]);
    expect(classVolumesMl([8], [0.5, 2, 1.5])[0]).toBeCloseTo(0.012, 12);
  });
});
