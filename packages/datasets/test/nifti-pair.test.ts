import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseNifti, parseNiftiPair } from '../src/index.js';
import { listNiftiPairs, readNifti } from '../src/node/index.js';
import { fixtureBytes, fixtureJson } from './fixtures.js';
import { useTempDir } from './temp-dir.js';

type Expected = Record<string, { shape: number[]; values: number[]; affine: number[][]; spacing: number[] }>;
const expected = fixtureJson<Expected>('nifti/expected.json');

/**
 * Splits a single-file NIfTI into the pair nifti1.h / nifti2.h describe for it: the header with magic
 * "ni1\0" ("ni2\0" + the same 4 trailing bytes) and vox_offset 0 in the .hdr, the voxels in the .img.
 */
function splitIntoPair(single: Uint8Array): { hdr: Uint8Array; img: Uint8Array } {
  const raw = single[0] === 0x1f && single[1] === 0x8b ? new Uint8Array(gunzipSync(single)) : single;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const little = view.getInt32(0, true) === 348 || view.getInt32(0, true) === 540;
  const version = view.getInt32(0, little) === 348 ? 1 : 2;
  const headerSize = version === 1 ? 348 : 540;
  const voxOffset = version === 1 ? view.getFloat32(108, little) : Number(view.getBigInt64(168, little));
  const hdr = raw.slice(0, headerSize);
  const hdrView = new DataView(hdr.buffer);
  if (version === 1) {
    hdr.set([0x6e, 0x69, 0x31, 0x00], 344); // "ni1\0"
    hdrView.setFloat32(108, 0, little);
  } else {
    hdr.set([0x6e, 0x69, 0x32, 0x00], 4); // "ni2\0"
    hdrView.setBigInt64(168, 0n, little);
  }
  return { hdr, img: raw.slice(voxOffset) };
}

describe('NIfTI-1/2 .hdr + .img pairs', () => {
  const tmp = useTempDir('nifti-pair');
  const names = ['n1_i2_scaled_sform.nii', 'n1_f4_bigendian_qform.nii', 'n1_u1_labels.nii.gz', 'n1_i8_noxform.nii', 'n2_f8_4d.nii'];

  it.each(names)('%s as a pair: the same values, shape, spacing and affine as the reference', async (name) => {
    const { hdr, img } = splitIntoPair(fixtureBytes(`nifti/${name}`));
    const stem = join(tmp(), name.replace(/\.nii(\.gz)?$/, ''));
    await writeFile(`${stem}.hdr`, hdr);
    await writeFile(`${stem}.img`, img);
    const reference = expected[name]!;
    for (const volume of [await readNifti(`${stem}.hdr`), await readNifti(`${stem}.img`), parseNiftiPair(hdr, img, name)]) {
      expect(volume.shape).toEqual(reference.shape);
      expect(Array.from(volume.data)).toEqual(reference.values.map((v) => Math.fround(v) === v || volume.data instanceof Float64Array ? v : Math.fround(v)));
      for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(volume.affine[r]![c]).toBeCloseTo(reference.affine[r]![c]!, 5);
      for (let n = 0; n < 3; n++) expect(volume.spacing[n]).toBeCloseTo(reference.spacing[n]!, 5);
    }
  });

  it('reads gzipped halves (.hdr.gz + .img.gz, or only the .img gzipped)', async () => {
    const { hdr, img } = splitIntoPair(fixtureBytes('nifti/n1_i2_scaled_sform.nii'));
    await writeFile(join(tmp(), 'gz.hdr.gz'), gzipSync(hdr));
    await writeFile(join(tmp(), 'gz.img.gz'), gzipSync(img));
    await writeFile(join(tmp(), 'half.hdr'), hdr);
    await writeFile(join(tmp(), 'half.img.gz'), gzipSync(img));
    const values = expected['n1_i2_scaled_sform.nii']!.values;
    expect(Array.from((await readNifti(join(tmp(), 'gz.hdr.gz'))).data)).toEqual(values);
    expect(Array.from((await readNifti(join(tmp(), 'half.hdr'))).data)).toEqual(values);
  });

  it('names the missing partner, and tells a .hdr given as a single file what it is', async () => {
    const { hdr } = splitIntoPair(fixtureBytes('nifti/n1_i2_scaled_sform.nii'));
    await writeFile(join(tmp(), 'lonely.hdr'), hdr);
    await expect(readNifti(join(tmp(), 'lonely.hdr'))).rejects.toThrow(/lonely\.hdr: NIfTI-1 pair: lonely\.img not found next to it/);
    expect(() => parseNifti(hdr, 'x.nii')).toThrow(/x\.nii: this is the header of a \.hdr\/\.img pair/);
    expect(() => parseNiftiPair(fixtureBytes('nifti/n1_i2_scaled_sform.nii'), new Uint8Array(0), 'y.hdr')).toThrow(/single-file NIfTI/);
  });

  it('pairs .hdr volumes in image/label folders by case key (the .img files are not volumes of their own)', async () => {
    const { hdr, img } = splitIntoPair(fixtureBytes('nifti/n1_u1_labels.nii.gz'));
    const images = join(tmp(), 'old-collection', 'images');
    const labels = join(tmp(), 'old-collection', 'labels');
    await mkdir(images, { recursive: true });
    await mkdir(labels, { recursive: true });
    for (const dir of [images, labels]) {
      const stem = dir === images ? 'img0001' : 'label0001';
      await writeFile(join(dir, `${stem}.hdr`), hdr);
      await writeFile(join(dir, `${stem}.img`), img);
    }
    const collection = await listNiftiPairs(images, labels);
    expect(collection.cases).toEqual([{ key: '0001', image: join(images, 'img0001.hdr'), label: join(labels, 'label0001.hdr') }]);
    expect(collection.unmatchedImages).toEqual([]);
    expect(collection.unmatchedLabels).toEqual([]);
  });
});
