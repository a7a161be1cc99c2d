import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { loadModelDir, saveModelDir } from '../src/node/index.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
let scratch: string;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels);
  scratch = await mkdtemp(join(tmpdir(), 'levit-model-dir-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Dense 2 → 1: 3 float32 weights (12 bytes), all 1. */
function tinyModel(value = 1): LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'ones' })] });
  if (value !== 1) model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, value)));
  return model;
}

async function weightsOf(model: LayersModel): Promise<number[]> {
  return (await Promise.all(model.getWeights().map((w) => w.data()))).flatMap((d) => Array.from(d));
}

describe('saveModelDir', () => {
  it('refuses a non-empty folder that is not a model directory, even with force, and leaves it as it was', async () => {
    const home = join(scratch, 'home');
    mkdirSync(home);
    writeFileSync(join(home, 'notes.txt'), 'mine');
    const model = tinyModel();
    for (const force of [false, true]) {
      await expect(saveModelDir(model, home, { force })).rejects.toThrow(`${home} is a non-empty folder that is not a model directory`);
    }
    expect(readdirSync(home)).toEqual(['notes.txt']);
    expect(readdirSync(scratch).filter((n) => n.startsWith('.'))).toEqual([]);
    model.dispose();
  });

  it('writes into an empty folder; replaces a model directory only with force', async () => {
    const dir = join(scratch, 'model');
    mkdirSync(dir);
    const one = tinyModel(1);
    const two = tinyModel(2);
    await saveModelDir(one, dir);
    await expect(saveModelDir(two, dir)).rejects.toThrow(`${dir} already holds a model directory: pass --force to replace it`);
    await saveModelDir(two, dir, { force: true });
    const loaded = await loadModelDir(dir);
    expect(await weightsOf(loaded)).toEqual([2, 2, 2]);
    for (const m of [one, two, loaded]) m.dispose();
  });
});

describe('loadModelDir', () => {
  async function modelWithPaths(name: string, paths: string[]): Promise<string> {
    const dir = join(scratch, name);
    const model = tinyModel();
    await saveModelDir(model, dir);
    model.dispose();
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    json.weightsManifest[0]!.paths = paths;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    return dir;
  }

  // 12 bytes, exactly what the manifest describes: before the fix these loaded as the model's weights.
  const secret = join(tmpdir(), `levit-secret-${process.pid}.bin`);
  beforeAll(() => writeFileSync(secret, new Uint8Array(new Float32Array([7, 7, 7]).buffer)));
  afterAll(() => rm(secret, { force: true }));

  it.each([
    ['a ".." path', (dir: string) => [relative(dir, secret)], 'contains ".."'],
    ['an absolute path', () => [secret], 'is absolute'],
  ])('refuses %s in weightsManifest.paths', async (label, paths, why) => {
    const name = `paths-${label.replace(/\W+/g, '-')}`;
    const dir = await modelWithPaths(name, paths(join(scratch, name)));
    await expect(loadModelDir(dir)).rejects.toThrow(`${join(dir, 'model.json')}: weightsManifest path`);
    await expect(loadModelDir(dir)).rejects.toThrow(why);
  });

  it('refuses a weights file that is a symbolic link leading outside the folder', async () => {
    const dir = await modelWithPaths('paths-symlink', ['outside.bin']);
    symlinkSync(secret, join(dir, 'outside.bin'));
    await expect(loadModelDir(dir)).rejects.toThrow('is a symbolic link leading outside');
  });

  it('finishes a save that a killed process left between its two renames', async () => {
    const dir = join(scratch, 'interrupted');
    const model = tinyModel(3);
    await saveModelDir(model, dir);
    model.dispose();
    // What kill -9 between "old folder moved aside" and "new folder moved in" leaves: no folder, a journal.
    const pid = spawnSync(process.execPath, ['-e', '0']).pid!;
    renameSync(dir, join(scratch, `.interrupted.tmp-${pid}-abcd`));
    writeFileSync(join(scratch, `.interrupted.replace-${pid}-abcd`), '{}');
    const loaded = await loadModelDir(dir);
    expect(await weightsOf(loaded)).toEqual([3, 3, 3]);
    expect(readdirSync(scratch).filter((n) => n.startsWith('.interrupted'))).toEqual([]);
    loaded.dispose();
  });
});
