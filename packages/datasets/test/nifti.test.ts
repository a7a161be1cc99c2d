import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sharedPath } from '@levit-unet/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, encodeNifti, parseNifti } from '../src/index.js';
import { readNifti, writeNifti } from '../src/node/index.js';
import { fixtureBytes, fixtureJson, fixturePath } from './fixtures.js';

type Expected = Record<string, { shape: number[]; values: number[]; affine: number[][]; spacing: number[] }>;
const expected = fixtureJson<Expected>('nifti/expected.json');

function expectAffine(actual: number[][], reference: number[][], digits = 5): void {
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(actual[r]![c]).toBeCloseTo(reference[r]![c]!, digits);
}

describe('parseNifti against files laid out from the NIfTI-1/2 field tables', () => {
  const types: Record<string, string> = {
    'n1_i2_scaled_sform.nii': 'Float32Array',
    'n1_f4_bigendian_qform.nii': 'Float32Array',
    'n1_u1_labels.nii.gz': 'Uint8Array',
    'n1_i8_noxform.nii': 'Int32Array',
    'n2_f8_4d.nii': 'Float64Array',
  };
  for (const [name, type] of Object.entries(types)) {
    it(`${name}: C-order values, shape [k,j,i], spacing, affine, ${type}`, () => {
      const volume = parseNifti(fixtureBytes(`nifti/${name}`), name);
      const reference = expected[name]!;
      expect(volume.data.constructor.name).toBe(type);
      expect(volume.shape).toEqual(reference.shape);
      expect(Array.from(volume.data)).toEqual(reference.values);
      for (let n = 0; n < reference.spacing.length; n++) expect(volume.spacing[n]).toBeCloseTo(reference.spacing[n]!, 6);
      expectAffine(volume.affine, reference.affine);
    });
  }

  it('applies scl_slope/scl_inter (stored int16 -10 -> -1044 HU)', () => {
    const volume = parseNifti(fixtureBytes('nifti/n1_i2_scaled_sform.nii'));
    expect(volume.data[0]).toBe(-10 * 2 - 1024);
    expect(volume.header.fields.scl_slope).toBe(2);
  });
});

describe('encodeNifti', () => {
  it('keeps every byte of the source header except the data-description fields', () => {
    const source = parseNifti(fixtureBytes('nifti/n1_i2_scaled_sform.nii'));
    const labels = Uint8Array.from(source.data, (v) => (v > -1030 ? 1 : 0));
    const encoded = encodeNifti({ data: labels, shape: source.shape }, { like: source.header });
    const back = parseNifti(encoded);
    expect(back.data).toEqual(labels);
    expect(back.shape).toEqual(source.shape);
    expect(back.affine).toEqual(source.affine);
    expect(back.spacing).toEqual(source.spacing);
    expect(back.header.fields.scl_slope).toBe(1);
    expect(back.header.fields.datatypeCode).toBe(2);
    const changed = [...Array(348).keys()].filter((n) => back.header.bytes[n] !== source.header.bytes[n]);
    // datatype (70-71), bitpix (72-73), scl_slope (112-115), scl_inter (116-119)
    expect(changed.every((n) => (n >= 70 && n < 74) || (n >= 112 && n < 120))).toBe(true);
  });

  it('writes big-endian and NIfTI-2 sources back in their own format', () => {
    for (const name of ['n1_f4_bigendian_qform.nii', 'n2_f8_4d.nii']) {
      const source = parseNifti(fixtureBytes(`nifti/${name}`));
      const data = Int16Array.from(source.data, (v) => Math.round(v * 10));
      const back = parseNifti(encodeNifti({ data, shape: source.shape, header: source.header }, { gzip: true }));
      expect(back.header.version).toBe(source.header.version);
      expect(back.header.littleEndian).toBe(source.header.littleEndian);
      expect(back.data).toEqual(data);
      expectAffine(back.affine, source.affine);
    }
  });

  it('makes a NIfTI-1 header from spacing and affine when there is no source', () => {
    const affine = [
      [-0.75, 0, 0, 100],
      [0, -0.75, 0, 80],
      [0, 0, 2.5, -300],
      [0, 0, 0, 1],
    ];
    const data = Float32Array.from({ length: 2 * 3 * 4 }, (_, n) => n / 4);
    const back = parseNifti(encodeNifti({ data, shape: [2, 3, 4], spacing: [2.5, 0.75, 0.75], affine }));
    expect(back.shape).toEqual([2, 3, 4]);
    expect(back.spacing).toEqual([2.5, 0.75, 0.75]);
    expect(back.affine).toEqual(affine);
    expect(back.data).toEqual(data);
  });

  it('refuses a label map on another grid than its source header', () => {
    const source = parseNifti(fixtureBytes('nifti/n1_u1_labels.nii.gz'));
    expect(() => encodeNifti({ data: new Uint8Array(24), shape: [2, 4, 3] }, { like: source.header })).toThrow(
      /does not match the source header's grid \[2, 3, 4\]/,
    );
  });
});

describe('parseNifti on bad input', () => {
  it('names the file and the problem', () => {
    const bytes = fixtureBytes('nifti/n1_i2_scaled_sform.nii');
    expect(() => parseNifti(bytes.subarray(0, 380), 'cut.nii')).toThrow(
      'cut.nii: truncated: 24 voxels of int16 need 400 bytes, the file has 380',
    );
    expect(() => parseNifti(bytes.subarray(0, 100), 'tiny.nii')).toThrow(/tiny\.nii: not a NIfTI file/);
    expect(() => parseNifti(new Uint8Array(400), 'zero.nii')).toThrow(DataError);
    const gz = fixtureBytes('nifti/n1_u1_labels.nii.gz');
    expect(() => parseNifti(gz.subarray(0, 60), 'cut.nii.gz')).toThrow(/cut\.nii\.gz: corrupt gzip stream/);
    const rgb = bytes.slice();
    new DataView(rgb.buffer).setInt16(70, 128, true);
    expect(() => parseNifti(rgb, 'rgb.nii')).toThrow('rgb.nii: unsupported NIfTI datatype rgb24');
  });
});

describe('readNifti / writeNifti (node)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nifti-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads .nii.gz with native gunzip and writes .nii.gz atomically', async () => {
    const volume = await readNifti(fixturePath('nifti/n1_u1_labels.nii.gz'));
    expect(Array.from(volume.data)).toEqual(expected['n1_u1_labels.nii.gz']!.values);
    const path = join(dir, 'out.nii.gz');
    await writeNifti(path, { data: volume.data, shape: volume.shape }, { like: volume.header });
    const raw = gunzipSync(await readFile(path));
    expect(raw.readInt32LE(0)).toBe(348);
    expect((await readNifti(path)).data).toEqual(volume.data);
  });

  it('reports a missing or corrupt file with its path', async () => {
    await expect(readNifti(join(dir, 'absent.nii.gz'))).rejects.toThrow(/absent\.nii\.gz: file not found/);
    const broken = join(dir, 'broken.nii.gz');
    await writeFile(broken, fixtureBytes('nifti/n1_u1_labels.nii.gz').subarray(0, 50));
    await expect(readNifti(broken)).rejects.toThrow(/broken\.nii\.gz: corrupt gzip stream/);
  });
});

describe('the real CT in ../shared/data', () => {
  const ct = sharedPath('data/totalseg_example_3mm_ct.nii.gz');
  const labels = sharedPath('data/totalseg_example_3mm_label_synapse.nii.gz');
  const stats = sharedPath('data/totalseg_example_3mm_stats.json');

  it.skipIf(!ct || !labels || !stats)('matches the README: shape, spacing, affine, HU range, organ voxel counts', async () => {
    const info = JSON.parse(await readFile(stats!, 'utf8')) as {
      shape: number[];
      affine: number[][];
      hu_min: number;
      hu_max: number;
      synapse_voxels: Record<string, number>;
    };
    const image = await readNifti(ct!);
    expect(image.shape).toEqual([...info.shape].reverse());
    expect(image.spacing).toEqual([3, 3, 3]);
    expectAffine(image.affine, info.affine, 3);
    expect(image.data).toBeInstanceOf(Int16Array);
    let min = Infinity;
    let max = -Infinity;
    for (const v of image.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([info.hu_min, info.hu_max]);
    const label = await readNifti(labels!);
    const counts = new Array<number>(9).fill(0);
    for (const v of label.data) counts[v]!++;
    expect(counts.slice(1)).toEqual(Object.values(info.synapse_voxels));
  });
});
