/**
 * The official-format checkpoints in ../shared/fixtures/official, written by PyTorch 1.13: key order,
 * dtypes, shapes and storage sharing against meta.json; values bit for bit against the sha256 hashes
 * PyTorch computed (imagenet-128s) and against the documented generation rules (128s, 192).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { sharedPath } from '@levit-unet/test-utils';
import { describe, expect, it } from 'vitest';
import { extractStateDict, readTorchCheckpoint, type StateDict } from '../src/torch-checkpoint.js';
import type { TensorEntry } from '../src/tensor-map.js';

interface MetaKey {
  key: string;
  shape: number[];
  dtype: string;
  alias_of?: string;
}

function loadFixture(relative: string): { state: StateDict; format: string; ms: number } | null {
  const path = sharedPath(relative);
  if (!path) return null;
  const bytes = gunzipSync(readFileSync(path));
  const start = performance.now();
  const checkpoint = readTorchCheckpoint(bytes, { source: relative });
  const state = extractStateDict(checkpoint);
  return { state, format: checkpoint.format, ms: performance.now() - start };
}

function metaKeys(relative: string): MetaKey[] {
  const path = sharedPath(relative)!;
  return JSON.parse(readFileSync(path, 'utf8')).state_dict.keys as MetaKey[];
}

/** attention_bias_idxs as the official LeViT constructor builds it: offsets numbered by first appearance. */
function expectedBiasIdxs(queries: number, keys: number): number[] {
  const q = Math.round(Math.sqrt(queries));
  const k = Math.round(Math.sqrt(keys));
  const stride = q === k ? 1 : 2;
  const ids = new Map<string, number>();
  const out: number[] = [];
  for (let qy = 0; qy < q; qy++)
    for (let qx = 0; qx < q; qx++)
      for (let ky = 0; ky < k; ky++)
        for (let kx = 0; kx < k; kx++) {
          const offset = `${Math.abs(qy * stride - ky)},${Math.abs(qx * stride - kx)}`;
          if (!ids.has(offset)) ids.set(offset, ids.size);
          out.push(ids.get(offset)!);
        }
  return out;
}

function checkAgainstMeta(state: StateDict, keys: MetaKey[]): void {
  expect([...state.tensors.keys()]).toEqual(keys.map((k) => k.key));
  for (const meta of keys) {
    const entry = state.tensors.get(meta.key)!;
    expect(entry.dtype, meta.key).toBe(meta.dtype);
    expect(entry.shape, meta.key).toEqual(meta.shape);
    expect(entry.data, meta.key).toBeInstanceOf(meta.dtype === 'int64' ? BigInt64Array : Float32Array);
    expect(entry.data.length, meta.key).toBe(meta.shape.reduce((a, b) => a * b, 1));
  }
}

/**
 * Values follow make_fixture.py's rules; a wrong offset, byte order or fp16 decoding breaks them.
 * Returns the tensors that break a rule (one expect per file keeps this fast) and how many each rule saw.
 */
function checkRules(tensors: Map<string, TensorEntry>): { bad: string[]; checked: number } {
  const bad: string[] = [];
  let checked = 0;
  for (const [name, entry] of tensors) {
    checked++;
    if (name.endsWith('attention_bias_idxs')) {
      const expected = expectedBiasIdxs(entry.shape[0]!, entry.shape[1]!);
      const data = entry.data as BigInt64Array;
      if (data.some((v, i) => Number(v) !== expected[i])) bad.push(name);
    } else if (name.endsWith('num_batches_tracked')) {
      const v = Number((entry.data as BigInt64Array)[0]);
      if (!(v >= 1 && v <= 100000)) bad.push(name);
    } else if (/(bn|\.1)\.running_var$/.test(name)) {
      if (!(entry.data as Float32Array).every((v) => v >= 0.5 && v <= 2.0)) bad.push(name);
    } else if (/(bn|\.1)\.weight$/.test(name) && entry.shape.length === 1) {
      if (!(entry.data as Float32Array).every((v) => v >= 0.5 && v <= 1.5)) bad.push(name);
    } else if (entry.shape.length >= 2 && name.endsWith('.weight')) {
      // Conv/Linear weight: multiples of 0.25/sqrt(fan_in) within 3/sqrt(fan_in), then rounded to fp16.
      const fanIn = entry.shape.slice(1).reduce((a, b) => a * b, 1);
      const step = 0.25 / Math.sqrt(fanIn);
      const ok = (entry.data as Float32Array).every((v) => {
        const k = v / step;
        return Math.abs(k - Math.round(k)) < 1e-2 && Math.abs(k) <= 12.01;
      });
      if (!ok) bad.push(name);
    } else {
      checked--;
    }
  }
  return { bad, checked };
}

function expectGenerationRules(tensors: Map<string, TensorEntry>): void {
  const { bad, checked } = checkRules(tensors);
  expect(bad).toEqual([]);
  expect(checked).toBeGreaterThan(tensors.size / 2);
}

describe('official LeViT-UNet-128s checkpoint (zip, fp16)', () => {
  const fixture = loadFixture('fixtures/official/128s/state_dict_fp16.pth.gz');
  it.skipIf(!fixture)('has the 360 keys of meta.json in order, with their dtypes and shapes', () => {
    const keys = metaKeys('fixtures/official/128s/meta.json');
    expect(keys).toHaveLength(360);
    expect(fixture!.format).toBe('zip');
    expect(fixture!.state.containerPath).toEqual([]);
    checkAgainstMeta(fixture!.state, keys);
    const storages = new Set([...fixture!.state.tensors.values()].map((e) => e.storage!.key));
    expect(storages.size).toBe(360);
  });
  it.skipIf(!fixture)('holds values that follow the generation rules (bias indices exactly)', () => {
    expectGenerationRules(fixture!.state.tensors);
  });
});

describe('official LeViT-UNet-192 checkpoint (zip, fp16, 376 aliases)', () => {
  const fixture = loadFixture('fixtures/official/192/state_dict_fp16.pth.gz');
  it.skipIf(!fixture)('has the 814 keys of meta.json in order, with their dtypes and shapes', () => {
    const keys = metaKeys('fixtures/official/192/meta.json');
    expect(keys).toHaveLength(814);
    checkAgainstMeta(fixture!.state, keys);
    console.info(`[timing] read + extract of the 192 checkpoint (41.5 MB): ${fixture!.ms.toFixed(0)} ms`);
  });
  it.skipIf(!fixture)('shares storage exactly where meta.json lists an alias', () => {
    const keys = metaKeys('fixtures/official/192/meta.json');
    const tensors = fixture!.state.tensors;
    const aliases = keys.filter((k) => k.alias_of);
    expect(aliases).toHaveLength(376);
    for (const { key, alias_of } of aliases) {
      const a = tensors.get(key)!;
      const b = tensors.get(alias_of!)!;
      expect(a.storage, key).toEqual(b.storage);
      expect(a.data, key).toBe(b.data);
    }
    const originals = keys.filter((k) => !k.alias_of);
    expect(new Set(originals.map((k) => tensors.get(k.key)!.storage!.key)).size).toBe(438);
    expect(new Set([...tensors.values()].map((e) => e.storage!.key)).size).toBe(438);
  });
  it.skipIf(!fixture)('holds values that follow the generation rules (bias indices exactly)', () => {
    expectGenerationRules(fixture!.state.tensors);
  });
});

describe("official-format ImageNet LeViT-128S checkpoint ({'model': state_dict})", () => {
  const fixture = loadFixture('fixtures/official/imagenet-128s/levit_128s_imagenet_fp16.pth.gz');
  it.skipIf(!fixture)("finds the 336-key state_dict under 'model', bit-exact with PyTorch's sha256 of every tensor", () => {
    const afterLoad = JSON.parse(readFileSync(sharedPath('fixtures/official/imagenet-128s/after_load.json')!, 'utf8'));
    const expected = afterLoad.imagenet_keys as Array<MetaKey & { sha256_f32: string }>;
    const { tensors, containerPath } = fixture!.state;
    expect(containerPath).toEqual(['model']);
    expect(expected).toHaveLength(336);
    expect([...tensors.keys()]).toEqual(expected.map((k) => k.key));
    for (const meta of expected) {
      const entry = tensors.get(meta.key)!;
      expect(entry.dtype, meta.key).toBe(meta.dtype);
      expect(entry.shape, meta.key).toEqual(meta.shape);
      const f32 =
        entry.data instanceof BigInt64Array ? Float32Array.from(entry.data, (v) => Number(v)) : (entry.data as Float32Array);
      const hash = createHash('sha256').update(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength)).digest('hex');
      expect(hash, meta.key).toBe(meta.sha256_f32);
    }
  });
  it.skipIf(!fixture)('matches the int64 hashes of the keys the official loader copied', () => {
    const afterLoad = JSON.parse(readFileSync(sharedPath('fixtures/official/imagenet-128s/after_load.json')!, 'utf8'));
    const copied = (afterLoad.unet_keys as Array<{ sha256_i64?: string; source_imagenet_key: string | null }>).filter(
      (k) => k.sha256_i64 && k.source_imagenet_key,
    );
    expect(copied.length).toBeGreaterThan(20);
    for (const k of copied) {
      const data = fixture!.state.tensors.get(k.source_imagenet_key!)!.data as BigInt64Array;
      const hash = createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
      expect(hash, k.source_imagenet_key!).toBe(k.sha256_i64);
    }
  });
});
