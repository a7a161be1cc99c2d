import { describe, expect, it } from 'vitest';
import { runCliCaptured as cli } from './run-cli.js';


describe('levit-unet info', () => {
  it('prints the official parameter counts and the output shape for 224×224', async () => {
    const { code, stdout: out } = await cli('info', '--variant', '128s', '--num-classes', '9', '--json', '--backend', 'cpu');
    expect(code).toBe(0);
    const info = JSON.parse(out);
    expect(info).toMatchObject({
      variant: '128s',
      trainableParams: 15_904_715,
      runningStatElements: 41_696,
      outputShape: [1, 224, 224, 9],
      inputShape: [1, 224, 224, 1],
    });
    // running statistics plus one num_batches_tracked counter per BatchNorm: 4 stem + 6 decoder + 46 encoder
    // (95,503 official int64 buffer elements = 95,447 attention_bias_idxs + 56 counters)
    expect(info.nonTrainableParams - info.runningStatElements).toBe(56);
    const text = await cli('info', '--variant', '384', '--num-classes', '4', '--backend', 'cpu');
    // 9 → 4 classes removes 5 · (176·3·3 + 1) head parameters
    expect(text.stdout).toMatch(/trainableParams\s+52,158,104\n/);
  });

  it('names the bad option', async () => {
    const bad = await cli('info', '--variant', '512', '--num-classes', '9', '--backend', 'cpu');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/option '--variant <variant>' argument '512' is invalid\. Allowed choices are 128s, 192, 384/);
    const zero = await cli('info', '--variant', '128s', '--num-classes', '0');
    expect(zero.code).not.toBe(0);
    expect(zero.stderr).toMatch(/--num-classes must be a positive integer, got "0"/);
    const backend = await cli('info', '--variant', '128s', '--num-classes', '2', '--backend', 'gpu');
    expect(backend.code).toBe(1);
    expect(backend.stderr).toMatch(/option '--backend <name>' argument 'gpu' is invalid\. Allowed choices are auto, tensorflow, webgpu, wasm, cpu/);
  });
});
