import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../bin/levit-unet.js', import.meta.url));

describe('levit-unet bench', () => {
  it('prints one JSON row per engine with the issue\'s fields, measured in a child process', async () => {
    const { stdout } = await run(process.execPath, [bin, 'bench', '--variant', '128s', '--engines', 'onnxruntime', '--no-train', '--repeats', '1', '--threads', '2', '--json'], {
      maxBuffer: 1 << 20,
    });
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(Object.keys(row!).sort()).toEqual(
      ['backend', 'device', 'engine', 'inferMsPerImageB1', 'inferMsPerImageB8', 'peakRssMB', 'threads', 'trainStepSecondsB8', 'variant'].sort(),
    );
    expect(row).toMatchObject({ variant: '128s', engine: 'onnxruntime', device: 'cpu', threads: 2, trainStepSecondsB8: null });
    for (const key of ['inferMsPerImageB1', 'inferMsPerImageB8', 'peakRssMB']) expect(row![key]).toBeGreaterThan(0);
  }, 180_000);

  it('refuses an unknown engine in one line', async () => {
    await expect(run(process.execPath, [bin, 'bench', '--engines', 'tensorrt', '--no-train'])).rejects.toMatchObject({
      stderr: 'levit-unet: --engines: "tensorrt" is not one of tfjs, onnxruntime\n',
    });
  });
});
