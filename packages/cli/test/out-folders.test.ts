import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '@levit-unet/datasets';
import { writeSyntheticNifti, writeSyntheticSynapse } from '@levit-unet/datasets/node';
import { createLeViTUNet } from '@levit-unet/levit-unet';
import { initBackend, loadModelDir, saveModelDir } from '@levit-unet/levit-unet/node';
import { sharedPath } from '@levit-unet/test-utils';
import { runCliCaptured } from './run-cli.js';

const cli = (...args: string[]) => runCliCaptured(...args, '--backend', 'wasm');
const checkpoint = sharedPath('fixtures/official/128s/state_dict_fp16.pth.gz');

let dir: string;
let home: string;
let modelDir: string;
let raw: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'levit-unet-cli-out-'));
  // A folder that is not the program's: what `--out $HOME` would point at.
  home = join(dir, 'home');
  await mkdir(join(home, 'thesis'), { recursive: true });
  await writeFile(join(home, 'thesis', 'main.tex'), 'years of work');
  await writeFile(join(home, 'notes.txt'), 'mine');
  modelDir = join(dir, 'model');
  raw = join(dir, 'raw');
  await initBackend('wasm');
  const model = createLeViTUNet({ variant: '128s', numClasses: 9, imgSize: 64 });
  await saveModelDir(model, modelDir);
  model.dispose();
  await writeSyntheticNifti(raw, { cases: 1, shape: [3, 50, 60], labels: 'synapse', seed: 2 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectHomeUntouched(): Promise<void> {
  expect((await readdir(home)).sort()).toEqual(['notes.txt', 'thesis']);
  expect(await readFile(join(home, 'thesis', 'main.tex'), 'utf8')).toBe('years of work');
  expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
}

function expectOneLine(stderr: string, text: string): void {
  expect(stderr).toContain(text);
  expect(stderr.trim().split('\n')).toHaveLength(1);
}

describe('import-torch --out', () => {
  const bogus = () => join(dir, 'never-read.pth');

  it('refuses a non-empty folder that is not a model directory, with or without --force, before reading the checkpoint', async () => {
    for (const force of [[], ['--force']]) {
      const result = await cli('import-torch', bogus(), '--variant', '128s', '--num-classes', '9', '--out', home, ...force);
      expect(result.code).toBe(1);
      expectOneLine(result.stderr, `${home} is a non-empty folder that is not a model directory: refusing to replace it`);
    }
    await expectHomeUntouched();
  });

  it('replaces a model directory only with --force', async () => {
    const result = await cli('import-torch', bogus(), '--variant', '128s', '--num-classes', '9', '--out', modelDir);
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, `${modelDir} already holds a model directory: pass --force to replace it`);
  });

  it.skipIf(!checkpoint)('imports over a model directory with --force', async () => {
    const out = join(dir, 'imported');
    await mkdir(out);
    await writeFile(join(out, 'model.json'), '{}');
    const result = await cli('import-torch', checkpoint!, '--variant', '128s', '--num-classes', '9', '--out', out, '--force');
    expect(result.code, result.stderr).toBe(0);
    const model = await loadModelDir(out);
    expect(model.outputs[0]!.shape).toEqual([null, 224, 224, 9]);
    model.dispose();
  });

  it.skipIf(!checkpoint)('a kill -9 between the two renames of the replace: the next load finishes it', async () => {
    const out = join(dir, 'killed');
    const previous = createLeViTUNet({ variant: '128s', numClasses: 9, imgSize: 64 });
    await saveModelDir(previous, out);
    previous.dispose();
    const bin = fileURLToPath(new URL('../bin/levit-unet.js', import.meta.url));
    const child = spawn(
      process.execPath,
      [bin, 'import-torch', checkpoint!, '--variant', '128s', '--num-classes', '9', '--out', out, '--force', '--backend', 'wasm'],
      { env: { ...process.env, LEVIT_UNET_SAFE_FS_PAUSE_AT: 'old-moved' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('paused at old-moved')) resolve();
      });
      child.on('exit', () => reject(new Error(`import-torch exited before the pause: ${stderr}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    // The old folder was moved aside and the new one not yet moved in: nothing at --out, a journal beside it.
    expect(existsSync(out)).toBe(false);
    const model = await loadModelDir(out);
    expect(model.outputs[0]!.shape).toEqual([null, 224, 224, 9]);
    model.dispose();
    expect((await readdir(dir)).filter((n) => n.startsWith('.killed'))).toEqual([]);
  });
});

describe('train --out', () => {
  it('refuses a folder that is not a training run, even with --force, before opening the data', async () => {
    for (const force of [[], ['--force']]) {
      const result = await cli('train', '--data', join(dir, 'no-data'), '--dataset', 'synapse', '--out', home, ...force);
      expect(result.code).toBe(1);
      expectOneLine(result.stderr, `${home} is a non-empty folder that is not a training run folder`);
    }
    await expectHomeUntouched();
  });

  it('starts an earlier run again only with --force', async () => {
    const run = join(dir, 'run');
    await mkdir(run);
    await writeFile(join(run, 'config.json'), JSON.stringify({ format: 'levit-unet-training-run' }));
    const refused = await cli('train', '--data', join(dir, 'no-data'), '--dataset', 'synapse', '--out', run);
    expectOneLine(refused.stderr, `${run} already holds a training run folder: pass --force`);
    // With --force the folder is accepted and the run gets as far as the (missing) data.
    const forced = await cli('train', '--data', join(dir, 'no-data'), '--dataset', 'synapse', '--out', run, '--force');
    expect(forced.code).toBe(1);
    expect(forced.stderr).not.toContain('training run folder');
    expect(forced.stderr).toContain('no-data');
  });
  it('--resume finishes a replace of last/ that a kill -9 interrupted between its two renames', async () => {
    const data = join(dir, 'synapse');
    const run = join(dir, 'tiny-run');
    await writeSyntheticSynapse(data, { trainCases: 1, testCases: 1, shape: [2, 64, 64], seed: 1 });
    const args = ['--data', data, '--dataset', 'synapse', '--variant', '128s', '--img-size', '64', '--max-steps', '2', '--batch-size', '2', '--workers', '0'];
    const trained = await cli('train', ...args, '--out', run);
    expect(trained.code, trained.stderr).toBe(0);
    // The state kill -9 leaves after "old last/ moved aside", before "new last/ moved in": no last/, the
    // complete new folder and the journal beside it, owned by a process that no longer exists.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    await rename(join(run, 'last'), join(run, `.last.tmp-${deadPid}-abcd`));
    await writeFile(join(run, `.last.replace-${deadPid}-abcd`), '{}');
    const resumed = await cli('train', '--resume', run);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('finished: 2/2 iterations');
    expect((await readdir(run)).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('prepare --force', () => {
  it('refuses an --out that contains its inputs and deletes nothing', async () => {
    const images = join(raw, 'images');
    const before = await readdir(images);
    const result = await runCliCaptured('prepare', '--images', images, '--labels', join(raw, 'labels'), '--out', raw, '--force');
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, `--out ${raw} contains the input --images ${images}`);
    expect(await readdir(images)).toEqual(before);
  });
});

describe('predict --out', () => {
  it('refuses an output that is the input through a symlinked folder (.npy mode)', async () => {
    const arrays = join(dir, 'arrays');
    await mkdir(arrays);
    const input = join(arrays, 'x.npy');
    const bytes = encodeNpy({ data: new Float32Array(64 * 64), shape: [1, 1, 64, 64] });
    await writeFile(input, bytes);
    await symlink(arrays, join(dir, 'arrays-link'));
    const result = await cli('predict', '--model', modelDir, '--input', input, '--out', join(dir, 'arrays-link', 'x.npy'));
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, 'is the input');
    expect(new Uint8Array(await readFile(input))).toEqual(bytes);
  });

  it('refuses an output folder that is the input scan\'s folder through a symlink (scan mode)', async () => {
    const input = join(raw, 'images', 'img0001.nii.gz');
    const before = await readFile(input);
    await symlink(join(raw, 'images'), join(dir, 'images-link'));
    const result = await cli('predict', '--model', modelDir, '--input', input, '--out', join(dir, 'images-link'));
    expect(result.code).toBe(1);
    expectOneLine(result.stderr, 'output path is the input');
    expect(await readFile(input)).toEqual(before);
  });
});
