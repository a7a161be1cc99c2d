import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from '@levit-unet/datasets';
import { compareToReference, sharedPath } from '@levit-unet/test-utils';
import { readSafetensors } from '@levit-unet/torch-io';
import { runCliCaptured } from './run-cli.js';

const cli = (...args: string[]) => runCliCaptured(...args, '--backend', 'wasm');

const fixture = sharedPath('fixtures/official/128s');
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'levit-unet-cli-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe.skipIf(!fixture)('levit-unet import-torch / export / predict', () => {
  it('imports the official checkpoint, exports it and predicts the official logits', async () => {
    const model = join(scratch, 'm128');
    const imported = await cli('import-torch', join(fixture!, 'state_dict_fp16.pth.gz'), '--variant', '128s', '--num-classes', '9', '--out', model, '--json');
    expect(imported.code).toBe(0);
    const report = JSON.parse(imported.stdout);
    expect(report).toMatchObject({ kind: 'levit-unet', missing: [], unexpected: [], mismatched: [], verifiedBiasIdxs: 11 });

    const weights = join(scratch, 'w.safetensors');
    expect((await cli('export', '--model', model, '--format', 'safetensors', '--out', weights)).code).toBe(0);
    expect(readSafetensors(await readFile(weights)).tensors.size).toBe(360);

    const logitsPath = join(scratch, 'y.npy');
    expect((await cli('predict', '--model', model, '--input', join(fixture!, 'input.npy'), '--logits', '--out', logitsPath)).code).toBe(0);
    const logits = parseNpy(await readFile(logitsPath));
    const reference = parseNpy(await readFile(join(fixture!, 'output.npy')));
    expect(logits.shape).toEqual([2, 9, 224, 224]);
    const { maxError: maxDiff, maxReference: maxRef } = compareToReference(reference.data, logits.data);
    expect(maxDiff).toBeLessThanOrEqual(1e-4 * maxRef);

    // NHWC in, labels out
    const input = parseNpy(await readFile(join(fixture!, 'input.npy')));
    const nhwc = join(scratch, 'x-nhwc.npy');
    await writeFile(nhwc, encodeNpy({ data: input.data, shape: [2, 224, 224, 1] }));
    const labelsPath = join(scratch, 'labels.npy');
    expect((await cli('predict', '--model', model, '--input', nhwc, '--layout', 'nhwc', '--out', labelsPath)).code).toBe(0);
    const labels = parseNpy(await readFile(labelsPath));
    expect(labels.shape).toEqual([2, 224, 224]);
    expect(labels.data).toBeInstanceOf(Uint8Array);
    // argmax of the reference logits
    let agree = 0;
    for (let p = 0; p < 2 * 224 * 224; p++) {
      const [n, q] = [Math.floor(p / (224 * 224)), p % (224 * 224)];
      let best = 0;
      for (let k = 1; k < 9; k++) if (reference.data[(n * 9 + k) * 224 * 224 + q] > reference.data[(n * 9 + best) * 224 * 224 + q]) best = k;
      if (labels.data[p] === best) agree++;
    }
    expect(agree / (2 * 224 * 224)).toBeGreaterThanOrEqual(0.9999);

    const wrong = join(scratch, 'wrong.npy');
    await writeFile(wrong, encodeNpy({ data: new Float32Array(2 * 256 * 256), shape: [2, 1, 256, 256] }));
    const failed = await cli('predict', '--model', model, '--input', wrong, '--out', join(scratch, 'never.npy'));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/wrong\.npy: expected a float32 array of shape \(n, 1, 224, 224\) \(NCHW\).*got \(2, 1, 256, 256\)/);
  });

  it('reports a checkpoint that is not a LeViT model', async () => {
    const bogus = join(scratch, 'bogus.pth');
    await writeFile(bogus, 'not a checkpoint at all');
    const result = await cli('import-torch', bogus, '--variant', '128s', '--num-classes', '9', '--out', join(scratch, 'x'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bogus\.pth: not a torch\.save file/);
  });
});
