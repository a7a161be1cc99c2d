import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticNifti } from '@levit-unet/datasets/node';
import { initBackend, saveModelDir } from '@levit-unet/levit-unet/node';
import { ConvEncoder, createUNet } from '@levit-unet/unet-decoder';

const bin = fileURLToPath(new URL('../bin/levit-unet.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `levit-unet predict …` in its own process (as one pod of an Indexed Job would run it). */
function predict(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'predict', '--model', modelDir, '--threads', '1', ...args], { maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

let dir: string;
let modelDir: string;
let images: string;
const corrupt = 'img0004.nii.gz';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'levit-unet-cli-cohort-'));
  modelDir = join(dir, 'model');
  images = join(dir, 'cohort', 'images');
  await initBackend('wasm');
  // A tiny untrained CNN UNet: the point is which files get written, and that they are the same bytes.
  const model = createUNet({ encoder: new ConvEncoder({ channels: [4, 8] }), inputShape: [32, 32, 1], numClasses: 9, decoderChannels: [8] });
  await saveModelDir(model, modelDir);
  model.dispose();
  await writeSyntheticNifti(join(dir, 'cohort'), { cases: 6, shape: [3, 40, 36], labels: 'synapse', seed: 7 });
  // A scan cut short in transfer: a valid gzip stream's first half.
  const whole = await readFile(join(images, corrupt));
  await writeFile(join(images, corrupt), whole.subarray(0, whole.length >> 1));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('levit-unet predict --num-parts N --part-id K (a cohort over processes)', () => {
  it('three processes cover the cohort once and write the same files as one; a corrupt scan is reported and the rest finish', async () => {
    const one = join(dir, 'one');
    const single = await predict('--input', images, '--out', one);
    const parts = join(dir, 'parts');
    const runs = await Promise.all([0, 1, 2].map((k) => predict('--input', images, '--out', parts, '--num-parts', '3', '--part-id', String(k))));

    // One process: 5 of 6 predicted, the corrupt one named in the summary and the last line, exit 1.
    expect(single.stdout).toMatch(/^6 scans in [\d.]+ s: 5 predicted, 0 skipped \(output exists\), 1 failed$/m);
    expect(single.stdout).toContain(`  failed: ${join(images, corrupt)}: `);
    expect(single.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^levit-unet: ${join(images, corrupt)}: `))]);
    expect(single.code).toBe(1);

    // Sorted names, every 3rd from the part id: part 0 holds img0001 and img0004 (the corrupt one).
    expect(runs.map((r) => r.code)).toEqual([1, 0, 0]);
    expect(runs[0]!.stdout).toMatch(/^part 0 of 3: 2 scans in [\d.]+ s: 1 predicted, 0 skipped \(output exists\), 1 failed$/m);
    for (const k of [1, 2]) expect(runs[k]!.stdout).toMatch(new RegExp(`^part ${k} of 3: 2 scans in [\\d.]+ s: 2 predicted, 0 skipped \\(output exists\\), 0 failed$`, 'm'));
    const written = runs.map((r) => [...r.stdout.matchAll(/\/(img\d{4}\.nii\.gz): labels/g)].map((m) => m[1]));
    expect(written).toEqual([['img0001.nii.gz'], ['img0002.nii.gz', 'img0005.nii.gz'], ['img0003.nii.gz', 'img0006.nii.gz']]);

    // The union equals the single run, file for file and byte for byte.
    const names = (await readdir(one)).sort();
    expect(names).toEqual(['img0001.nii.gz', 'img0002.nii.gz', 'img0003.nii.gz', 'img0005.nii.gz', 'img0006.nii.gz']);
    expect((await readdir(parts)).sort()).toEqual(names);
    for (const name of names) expect(await readFile(join(parts, name)), name).toEqual(await readFile(join(one, name)));

    // A rerun of a part skips what exists; --overwrite predicts again.
    const rerun = await predict('--input', images, '--out', parts, '--num-parts', '3', '--part-id', '1');
    expect(rerun.stdout).toMatch(/^part 1 of 3: 2 scans in [\d.]+ s: 0 predicted, 2 skipped \(output exists\), 0 failed$/m);
    expect(rerun.code).toBe(0);
    const forced = await predict('--input', images, '--out', parts, '--num-parts', '3', '--part-id', '1', '--overwrite');
    expect(forced.stdout).toMatch(/2 predicted, 0 skipped/);
  }, 120_000);

  it('refuses a part id outside 0..N-1 in one line', async () => {
    const { code, stderr } = await predict('--input', images, '--out', join(dir, 'never'), '--num-parts', '3', '--part-id', '3');
    expect(stderr).toBe('levit-unet: the part id must be an integer in 0..2 (3 parts), got 3\n');
    expect(code).toBe(1);
  });
});
