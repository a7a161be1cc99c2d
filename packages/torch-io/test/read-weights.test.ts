/** readWeights: one entry point that recognises safetensors, torch.save (zip and legacy) and their gzip wrappers. */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isGzip, readWeights, writeSafetensors, type TensorEntry } from '../src/index.js';
import { f32Bytes, pickle, tensor, torchZip } from './builders.js';

const w: TensorEntry = { dtype: 'float32', shape: [2, 2], data: new Float32Array([1, 2, 3, -4]) };

describe('readWeights', () => {
  it('reads safetensors, plain and gzipped', () => {
    const bytes = writeSafetensors(new Map([['w', w]]));
    for (const input of [bytes, gzipSync(bytes)]) {
      const { format, tensors } = readWeights(input);
      expect(format).toBe('safetensors');
      expect([...tensors.get('w')!.data]).toEqual([1, 2, 3, -4]);
    }
  });

  it('reads torch.save zip and legacy files, plain and gzipped', () => {
    const zip = torchZip(pickle(new Map([['w', tensor({ type: 'FloatStorage', key: '0', numel: 4 }, [2, 2])]])), {
      '0': f32Bytes([1, 2, 3, -4]),
    });
    const legacy = readFileSync(new URL('./fixtures/legacy_checkpoint.pth', import.meta.url));
    for (const input of [zip, gzipSync(zip)]) {
      const { format, tensors } = readWeights(input);
      expect(format).toBe('torch');
      expect([...tensors.get('w')!.data]).toEqual([1, 2, 3, -4]);
    }
    expect(readWeights(gzipSync(legacy)).tensors.size).toBe(8);
  });

  it('names the source of a corrupt gzip stream in one line', () => {
    const broken = gzipSync(writeSafetensors(new Map([['w', w]]))).subarray(0, 20);
    expect(isGzip(broken)).toBe(true);
    expect(() => readWeights(broken, { source: 'm.pth.gz' })).toThrow(/^m\.pth\.gz: corrupt gzip data/);
  });
});
