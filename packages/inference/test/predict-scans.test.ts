import { existsSync } from 'node:fs';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { normalizeMri, toAxialStack, transpose, windowIntensities } from '@levit-unet/datasets';
import { readNifti, writeSyntheticSynapse } from '@levit-unet/datasets/node';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { sharedPath } from '@levit-unet/test-utils';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { ConvEncoder, createUNet } from '@levit-unet/unet-decoder';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { createTfjsEngine, SYNAPSE_PALETTE } from '../src/index.js';
import { predictScans } from '../src/node/index.js';
import { OracleEngine, ThresholdEngine, thresholdLabel } from './engines.js';
import { phantomScan, sagittalCopy, scratchDir, writeScanPair } from './scratch.js';

const tf = await useTfBackend(registerWasmTrainingKernels);
const scratch = await scratchDir();
afterAll(() => scratch.remove());

const axial = phantomScan(5);
const pair = await writeScanPair(join(scratch.dir, 'axial'), 'scan', axial);
const sagittalPair = await writeScanPair(join(scratch.dir, 'sagittal'), 'scan', sagittalCopy(axial));

describe('predictScans', () => {
  it('writes a uint8 label NIfTI with the input’s shape, affine and header; labels = engine on the windowed CT', async () => {
    const out = join(scratch.dir, 'out-axial.nii.gz');
    const { predicted: [result] } = await predictScans(new ThresholdEngine([40, 40]), { inputs: pair.image, out });
    const [input, output] = await Promise.all([readNifti(pair.image), readNifti(out)]);
    expect(result!.output).toBe(out);
    expect(output.shape).toEqual(input.shape);
    expect(output.affine).toEqual(input.affine);
    expect(output.spacing).toEqual(input.spacing);
    expect(output.data).toBeInstanceOf(Uint8Array);
    for (const field of ['sform_code', 'qform_code', 'quatern_b', 'quatern_c', 'quatern_d', 'qoffset_x', 'qoffset_z', 'xyzt_units'] as const) {
      expect((output.header.fields as unknown as Record<string, unknown>)[field]).toEqual((input.header.fields as unknown as Record<string, unknown>)[field]);
    }
    // TransUNet's CT window [-125, 275] → [0, 1], then the engine's closed-form labels.
    expect(Array.from(output.data)).toEqual(Array.from(windowIntensities(axial.image.data, [-125, 275]), thresholdLabel));
    expect(result!.classVoxels.reduce((a, b) => a + b)).toBe(6 * 40 * 40);
  });

  it('slices a sagittally stored scan axially and writes the labels back in its storage order', async () => {
    const out = join(scratch.dir, 'out-sagittal');
    const { predicted: [result] } = await predictScans(new ThresholdEngine([32, 32]), { inputs: join(scratch.dir, 'sagittal', 'images'), out, batchSize: 4 });
    expect(result!.output).toBe(join(out, 'scan.nii.gz'));
    const axialOut = join(scratch.dir, 'out-axial-32.nii.gz');
    await predictScans(new ThresholdEngine([32, 32]), { inputs: pair.image, out: axialOut });
    const [a, s, input] = await Promise.all([readNifti(axialOut), readNifti(result!.output), readNifti(sagittalPair.image)]);
    expect(s.shape).toEqual(input.shape);
    expect(s.affine).toEqual(input.affine);
    expect(Array.from(s.data)).toEqual(Array.from(transpose(a, [1, 2, 0]).data));
  });

  it('normalises MRI per volume and reads Synapse .npy.h5 volumes as they are', async () => {
    const mr = join(scratch.dir, 'out-mr.nii');
    await predictScans(new ThresholdEngine([40, 40]), { inputs: pair.image, out: mr, modality: 'mr' });
    expect(Array.from((await readNifti(mr)).data)).toEqual(Array.from(normalizeMri(axial.image.data), thresholdLabel));
    const root = join(scratch.dir, 'Synapse');
    const { testCases } = await writeSyntheticSynapse(root, { trainCases: 0, testCases: 1, shape: [4, 24, 24] });
    const h5 = join(root, 'test_vol_h5', `${testCases[0]}.npy.h5`);
    const { predicted: [result] } = await predictScans(new ThresholdEngine([24, 24]), { inputs: h5, out: join(scratch.dir, 'h5-out') });
    expect(result!.output).toBe(join(scratch.dir, 'h5-out', `${testCases[0]}.nii.gz`));
    expect((await readNifti(result!.output)).shape).toEqual([4, 24, 24]);
  });

  it('writes overlay PNGs of the slices with organs', async () => {
    const overlayDir = join(scratch.dir, 'overlays');
    const { predicted: [result] } = await predictScans(new ThresholdEngine([40, 40]), { inputs: pair.image, out: join(scratch.dir, 'o'), overlayDir, classNames: ['bg', 'soft', 'bright'] });
    expect(result!.overlays.length).toBeGreaterThan(0);
    expect(result!.overlays[0]).toMatch(/overlays\/scan\/slice_\d{3}\.png$/);
    const png = PNG.sync.read(Buffer.from(await readFile(result!.overlays[0]!)));
    expect(png.height).toBe(280); // 40 px × 7 (the smallest scale reaching 256)
    expect(png.width).toBeGreaterThan(280);
  });

  it('refuses an output path equal to an input path, and unknown inputs', async () => {
    const engine = new ThresholdEngine([40, 40]);
    await expect(predictScans(engine, { inputs: pair.image, out: pair.image })).rejects.toThrow(/output path is the input/);
    await expect(predictScans(engine, { inputs: join(scratch.dir, 'axial', 'images'), out: join(scratch.dir, 'axial', 'images') })).rejects.toThrow(
      /output path is the input/,
    );
    await expect(predictScans(engine, { inputs: join(scratch.dir, 'nothing.nii'), out: scratch.dir })).rejects.toThrow(/no such file or folder/);
    await expect(predictScans(engine, { inputs: [pair.image, sagittalPair.image], out: join(scratch.dir, 'one.nii.gz') })).rejects.toThrow(
      /2 scans need an output folder/,
    );
    await expect(predictScans(engine, { inputs: [pair.image, sagittalPair.image], out: join(scratch.dir, 'both') })).rejects.toThrow(
      /would both be written to .*both\/scan.nii.gz/,
    );
  });
});

describe('predictScans on a cohort', () => {
  const cohort = join(scratch.dir, 'cohort');
  const names = ['b', 'a', 'e', 'c', 'd'];
  const ready = Promise.all(names.map((name, k) => writeScanPair(cohort, name, phantomScan(10 + k, [3, 24, 24]))));
  const engine = new ThresholdEngine([24, 24]);
  const images = join(cohort, 'images');

  it('splits the scans sorted by name into disjoint parts whose union is one whole run, file for file', async () => {
    await ready;
    const whole = await predictScans(engine, { inputs: images, out: join(scratch.dir, 'whole') });
    expect(whole.outcomes.map((o) => o.status)).toEqual(['predicted', 'predicted', 'predicted', 'predicted', 'predicted']);
    const parts = [];
    for (const partId of [0, 1]) parts.push(await predictScans(engine, { inputs: images, out: join(scratch.dir, 'parts'), numParts: 2, partId }));
    // Every 2nd of a, b, c, d, e from the part id, as nnU-Net's -num_parts / -part_id.
    expect(parts.map((p) => p.outcomes.map((o) => basename(o.input)))).toEqual([
      ['a.nii.gz', 'c.nii.gz', 'e.nii.gz'],
      ['b.nii.gz', 'd.nii.gz'],
    ]);
    expect((await readdir(join(scratch.dir, 'parts'))).sort()).toEqual((await readdir(join(scratch.dir, 'whole'))).sort());
    for (const name of names) {
      expect(await readFile(join(scratch.dir, 'parts', `${name}.nii.gz`))).toEqual(await readFile(join(scratch.dir, 'whole', `${name}.nii.gz`)));
    }
  });

  it('skips scans whose output exists unless overwrite', async () => {
    await ready;
    const out = join(scratch.dir, 'rerun');
    await predictScans(engine, { inputs: images, out, numParts: 5, partId: 3 });
    const again = await predictScans(engine, { inputs: images, out });
    expect(again.outcomes.map((o) => o.status)).toEqual(['predicted', 'predicted', 'predicted', 'skipped', 'predicted']);
    expect(again.skipped.map((o) => o.output)).toEqual([join(out, 'd.nii.gz')]);
    const forced = await predictScans(engine, { inputs: images, out, overwrite: true });
    expect(forced.predicted).toHaveLength(5);
  });

  it('reports a corrupt scan with a one-line reason and predicts the others', async () => {
    await ready;
    const mixed = join(scratch.dir, 'mixed');
    await cp(images, mixed, { recursive: true });
    await writeFile(join(mixed, 'c.nii.gz'), 'not a scan');
    const seen: string[] = [];
    const summary = await predictScans(engine, { inputs: mixed, out: join(scratch.dir, 'mixed-out'), onScan: (o, done, total) => seen.push(`${done}/${total} ${o.status}`) });
    expect(seen).toEqual(['1/5 predicted', '2/5 predicted', '3/5 failed', '4/5 predicted', '5/5 predicted']);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0]!.input).toBe(join(mixed, 'c.nii.gz'));
    expect(summary.failed[0]!.reason).not.toContain('\n');
    expect(summary.failed[0]!.reason).toMatch(/^not a NIfTI file/);
    expect((await readdir(join(scratch.dir, 'mixed-out'))).sort()).toEqual(['a.nii.gz', 'b.nii.gz', 'd.nii.gz', 'e.nii.gz']);
    expect(summary.seconds).toBeGreaterThan(0);
  });

  it('refuses a part id outside 0..numParts-1 before anything runs', async () => {
    await ready;
    const out = join(scratch.dir, 'never');
    await expect(predictScans(engine, { inputs: images, out, numParts: 3, partId: 3 })).rejects.toThrow(/the part id must be an integer in 0..2 \(3 parts\), got 3/);
    await expect(predictScans(engine, { inputs: images, out, numParts: 0 })).rejects.toThrow(/the number of parts must be a positive integer, got 0/);
    expect(existsSync(out)).toBe(false);
  });
});

const ct = sharedPath('data/totalseg_example_3mm_ct.nii.gz');
const ctLabel = sharedPath('data/totalseg_example_3mm_label_synapse.nii.gz');
const ctStats = sharedPath('data/totalseg_example_3mm_stats.json');

describe.skipIf(!ct || !ctLabel || !ctStats)('predictScans overlays of the real CT with its reference labels', () => {
  it('predicts the reference organs through the pipeline, and draws them in radiological orientation', async () => {
    const label = await readNifti(ctLabel!);
    // A perfect engine at the CT's in-plane size (101 x 122): the pipeline must give back the reference map.
    const engine = new OracleEngine([101, 122], 9, [toAxialStack(label, label.affine)]);
    const overlayDir = join(scratch.dir, 'ct-overlays');
    const { predicted: [result] } = await predictScans(engine, { inputs: ct!, out: join(scratch.dir, 'ct-oracle.nii.gz'), overlayDir });
    const stats = JSON.parse(await readFile(ctStats!, 'utf8'));
    expect(result!.classVoxels.slice(1)).toEqual(Object.values(stats.synapse_voxels));
    expect(result!.overlays).toHaveLength(51); // the README: slices k = 61..111 hold at least one organ
    // Slice k = 90 holds all 8 organs. Radiological view: the patient's right (liver) on the viewer's left,
    // the spleen on the right.
    const png = PNG.sync.read(Buffer.from(await readFile(join(overlayDir, 'totalseg_example_3mm_ct', 'slice_090.png'))));
    const centre = (rgb: readonly number[]) => {
      let [sx, sy, n] = [0, 0, 0];
      for (let y = 0; y < png.height; y++) {
        for (let x = 0; x < 122 * 3; x++) {
          const o = (y * png.width + x) * 4;
          // alpha 0.45 blend: the colour dominates where the mask is, so match the dominant channel pattern.
          const [r, g, b] = [png.data[o]!, png.data[o + 1]!, png.data[o + 2]!];
          const close = rgb.every((c, k) => Math.abs([r, g, b][k]! - (0.55 * ((r + g + b) / 3) + 0.45 * c)) < 40);
          if (close && Math.max(r, g, b) - Math.min(r, g, b) > 60) {
            sx += x;
            sy += y;
            n++;
          }
        }
      }
      return { x: sx / n, y: sy / n, n };
    };
    const liver = centre(SYNAPSE_PALETTE[5]!);
    const spleen = centre(SYNAPSE_PALETTE[7]!);
    expect(liver.n).toBeGreaterThan(100);
    expect(spleen.n).toBeGreaterThan(50);
    expect(liver.x).toBeLessThan(122 * 3 * 0.5);
    expect(spleen.x).toBeGreaterThan(122 * 3 * 0.5);
    // Anterior at the top: the stomach lies in front of the kidneys.
    expect(centre(SYNAPSE_PALETTE[8]!).y).toBeLessThan(centre(SYNAPSE_PALETTE[4]!).y);
  });
});

describe.skipIf(!ct)('predictScans on the real CT (shared/data)', () => {
  it('a small untrained tfjs UNet gives a mask with the CT’s shape and affine, leaking no tensors', async () => {
    const before = tf.memory().numTensors;
    const model = createUNet({ encoder: new ConvEncoder({ channels: [4, 8] }), inputShape: [32, 32, 1], numClasses: 9, decoderChannels: [8] });
    const engine = createTfjsEngine(model, { ownsModel: true });
    const out = join(scratch.dir, 'ct-label.nii.gz');
    const { predicted: [result] } = await predictScans(engine, { inputs: ct!, out, batchSize: 16 });
    // The model keeps its inference caches (folded BatchNorms) until it is disposed, with the engine that owns it.
    engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const [input, output] = await Promise.all([readNifti(ct!), readNifti(out)]);
    expect(output.shape).toEqual(input.shape);
    expect(output.shape).toEqual([112, 101, 122]);
    expect(output.affine).toEqual(input.affine);
    expect(output.data).toBeInstanceOf(Uint8Array);
    expect(output.data.every((v) => v < 9)).toBe(true);
    expect(result!.classVoxels.reduce((a, b) => a + b)).toBe(112 * 101 * 122);
    expect(result!.msPerSlice).toBeGreaterThan(0);
  });
});
