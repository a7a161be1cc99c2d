import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/index.js';

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('demo (the main job), with a tiny recipe', () => {
  it('generates data, trains, evaluates and writes the report folder', async () => {
    dir = await mkdtemp(join(tmpdir(), 'levit-unet-demo-'));
    const lines: string[] = [];
    const result = await runDemo({
      outDir: dir,
      backend: 'wasm',
      recipe: { imgSize: 64, depth: 4, trainCases: 1, testCases: 1, batchSize: 2, steps: 2 },
      log: (line) => lines.push(line),
    });
    expect(lines.some((l) => l.startsWith('3/3 evaluated 1 test volumes'))).toBe(true);
    const metrics = JSON.parse(await readFile(join(dir, 'evaluation', 'metrics.json'), 'utf8'));
    expect(metrics.mean.dice).toBeCloseTo(result.meanDice, 12);
    for (const file of ['evaluation/metrics.md', 'evaluation/metrics.csv', 'run/log.jsonl', 'run/log.csv', 'run/curves.png', 'run/last/model.json', 'summary.json']) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    expect(result.files.overlays).toHaveLength(2);
    const log = (await readFile(join(dir, 'run', 'log.jsonl'), 'utf8')).trim().split('\n');
    expect(log.filter((l) => JSON.parse(l).type === 'train')).toHaveLength(2);
  });
});
