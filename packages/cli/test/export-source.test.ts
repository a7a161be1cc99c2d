/** `export --model M --out M/weights.bin` used to replace M's weights; --format onnx --out M/model.json broke M. */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured as cli } from './run-cli.js';

let dir: string;
let model: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'levit-unet-export-source-'));
  model = join(dir, 'model');
  // The refusal comes before the model is read: two files stand for a model directory.
  await mkdir(model);
  await writeFile(join(model, 'model.json'), '{"modelTopology": {}}');
  await writeFile(join(model, 'weights.bin'), new Uint8Array([1, 2, 3, 4]));
  await symlink(model, join(dir, 'link'));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('export into its source model directory', () => {
  it('is refused with one line for every spelling of the folder, leaving the model as it was', async () => {
    const files = async () => [await readFile(join(model, 'model.json')), await readFile(join(model, 'weights.bin'))];
    const before = await files();
    for (const args of [
      ['--out', join(model, 'weights.bin')],
      ['--format', 'onnx', '--out', join(model, 'model.json')],
      ['--out', join(dir, 'link', 'x.safetensors')],
      ['--out', join(dir, 'link', '..', 'model', 'sub', 'x.safetensors')],
    ]) {
      const { code, stderr } = await cli('export', '--model', join(dir, 'link'), ...args, '--backend', 'wasm');
      expect(code, args.join(' ')).toBe(1);
      expect(stderr).toBe(`levit-unet: --out ${args.at(-1)} is inside the model directory ${join(dir, 'link')}: export writes elsewhere, never into its source\n`);
    }
    expect(await files()).toEqual(before);
  }, 120_000);
});
