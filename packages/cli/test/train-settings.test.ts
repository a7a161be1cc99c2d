/**
 * One schema for train options: a value refused as a flag is refused in a --config file too. These used to
 * train with exit 0 (rmsprop trained Adam, "heavy" turned augmentation off, "no" shuffled, "x" was stored as
 * the seed), and --workers -1, --loss-weights 0,0 and --batch-size 0x10 were accepted as flags.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured as cli } from './run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'levit-unet-train-settings-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const train = (...args: string[]) => cli('train', '--data', join(dir, 'none'), '--dataset', 'synapse', '--out', join(dir, 'run'), '--backend', 'wasm', '--engine', 'tfjs', ...args);

describe('train options, one schema', () => {
  it.each([
    ['optimizer', 'rmsprop', 'optimizer must be one of adam, sgd, got "rmsprop"'],
    ['augment', 'heavy', 'augment must be one of transunet, none, got "heavy"'],
    ['shuffle', 'no', 'shuffle must be true or false, got "no"'],
    ['seed', 'x', 'seed must be an integer, got "x"'],
    ['workers', -1, 'workers must be an integer from 0 to 256, got -1'],
    ['lossWeights', [0, 0], 'lossWeights must be two numbers >= 0 [ce, dice], not both 0, got [0,0]'],
    ['batchSize', '0x10', 'batchSize must be a positive integer, got "0x10"'],
    ['lr', Infinity, 'lr must be a finite number >= 0, got Infinity'],
  ])('--config {"%s": %j} is refused with one line', async (key, value, message) => {
    const file = join(dir, `${key}.json`);
    // 1e400 is Infinity in JavaScript and null in JSON: written as text so the file holds the literal.
    await writeFile(file, key === 'lr' ? '{"lr": 1e400}' : JSON.stringify({ [key]: value }));
    const { code, stderr } = await train('--config', file);
    expect(code).toBe(1);
    expect(stderr).toBe(`levit-unet: --config ${file}: ${message}\n`);
  });

  it.each([
    ['--workers', '-1', '--workers must be an integer from 0 to 256, got "-1"'],
    ['--loss-weights', '0,0', '--loss-weights must be two numbers >= 0 [ce, dice], not both 0, got "0,0"'],
    ['--batch-size', '0x10', '--batch-size must be a positive integer, got "0x10"'],
    ['--lr', '1e400', '--lr must be a finite number >= 0, got "1e400"'],
    ['--momentum', '1.5', '--momentum must be a finite number >= 0 and <= 1, got "1.5"'],
  ])('%s %s is refused with one line', async (flag, value, message) => {
    const { code, stderr } = await train(flag, value);
    expect(code).toBe(1);
    expect(stderr).toContain(message);
  });
});
