/**
 * The torch-io readers as fuzz targets, each over small real files: a legacy checkpoint written by
 * CPython (fixtures/legacy_checkpoint.pth), zip checkpoints built the way torch.save lays them out
 * (stored and deflated, strided and aliased views, float16, int64, nested containers), their gzip
 * wrappers, and safetensors files from writeSafetensors. Shared by test/fuzz.test.ts and bench/fuzz.ts.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'fflate';
import type { FuzzSeed, FuzzTarget } from '@levit-unet/test-utils/fuzz';
import { isTensorEntry, readSafetensors, readTorchCheckpoint, readWeights, unpickle, writeSafetensors, type TensorMap } from '../src/index.js';
import { f32Bytes, i64Bytes, pickle, tensor, torchZip, u16Bytes, type PickleInput } from './builders.js';

/** Readers under fuzzing may allocate at most this much; anything claiming more must be refused. */
export const FUZZ_MAX_BYTES = 64 << 20;

const range = (n: number) => Array.from({ length: n }, (_, i) => i * 0.25 - 1);

const w = { type: 'FloatStorage', key: '0', numel: 12 };
const h = { type: 'HalfStorage', key: '1', numel: 6 };
const idx = { type: 'LongStorage', key: '2', numel: 4 };
const stateDict = new Map<string, PickleInput>([
  ['conv.weight', tensor(w, [3, 4])],
  ['conv.weight_t', tensor(w, [4, 3], { stride: [1, 4] })],
  ['bn.bias', tensor(w, [2], { offset: 10 })],
  ['half', tensor(h, [2, 3])],
  ['idxs', tensor(idx, [4])],
  ['expanded', tensor(w, [3, 4], { stride: [0, 1] })],
]);
const container = { model: stateDict, epoch: 3, args: [1, 'x', null, true] } as unknown as PickleInput;
const zipStorages = { '0': f32Bytes(range(12)), '1': u16Bytes([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000]), '2': i64Bytes([0n, 1n, 2n, -3n]) };
const zipPickle = pickle(stateDict);
const containerPickle = pickle(container);

function zipSeeds(): FuzzSeed[] {
  const storages = zipStorages;
  return [
    { name: 'state_dict.pth (stored)', bytes: torchZip(pickle(stateDict), storages) },
    { name: 'state_dict.pth (deflated)', bytes: torchZip(pickle(stateDict), storages, { deflate: true, top: 'sd' }) },
    { name: "{'model': ...}.pth", bytes: torchZip(pickle(container), storages, { byteorder: 'little' }) },
  ];
}

function legacySeed(): FuzzSeed {
  return { name: 'legacy_checkpoint.pth', bytes: new Uint8Array(readFileSync(new URL('./fixtures/legacy_checkpoint.pth', import.meta.url))) };
}

function safetensorsSeeds(): FuzzSeed[] {
  const tensors: TensorMap = new Map([
    ['a.weight', { dtype: 'float32', shape: [3, 4], data: new Float32Array(range(12)) }],
    ['a.half', { dtype: 'float16', shape: [2, 2], data: new Float32Array([1, -2, 0.5, 65504]) }],
    ['b.idx', { dtype: 'int64', shape: [3], data: new BigInt64Array([0n, 5n, -1n]) }],
    ['c.mask', { dtype: 'bool', shape: [4], data: new Uint8Array([1, 0, 1, 1]) }],
  ]);
  return [
    { name: 'model.safetensors', bytes: writeSafetensors(tensors, { metadata: { format: 'pt' } }) },
    { name: 'reference-order.safetensors', bytes: writeSafetensors(tensors, { order: 'reference' }) },
  ];
}

/** Bytes of tensor data reachable from an unpickled checkpoint (each array once). */
function tensorBytes(root: unknown): number {
  const seen = new Set<unknown>();
  const buffers = new Set<ArrayBufferLike>();
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    if (isTensorEntry(node)) {
      if (!buffers.has(node.data.buffer)) total += node.data.byteLength;
      buffers.add(node.data.buffer);
    } else if (node instanceof Map) pending.push(...node.values());
    else if (Array.isArray(node)) pending.push(...node);
    else if ('state' in node) pending.push((node as { state: unknown }).state);
  }
  return total;
}

function mapBytes(tensors: TensorMap): number {
  let total = 0;
  for (const t of tensors.values()) total += t.data.byteLength;
  return total;
}

export function torchIoTargets(): FuzzTarget[] {
  const zips = zipSeeds();
  const legacy = legacySeed();
  const limits = { maxBytes: FUZZ_MAX_BYTES };
  return [
    {
      name: 'torch zip checkpoint',
      seeds: zips,
      maxResultBytes: FUZZ_MAX_BYTES,
      read: (bytes, source) => tensorBytes(readTorchCheckpoint(bytes, { ...limits, source }).root),
    },
    {
      // The zip's CRCs refuse nearly every mutated member, so here the pickle is mutated and then zipped
      // with valid CRCs, to reach the unpickler, the storage checks and the strided views behind them.
      name: 'torch zip checkpoint (mutated data.pkl, valid zip)',
      seeds: [{ name: 'data.pkl', bytes: zipPickle }, { name: "{'model': ...} data.pkl", bytes: containerPickle }],
      maxResultBytes: FUZZ_MAX_BYTES,
      read: (bytes, source) => tensorBytes(readTorchCheckpoint(torchZip(bytes, zipStorages), { ...limits, source }).root),
    },
    {
      name: 'torch legacy checkpoint',
      seeds: [legacy],
      maxResultBytes: FUZZ_MAX_BYTES,
      read: (bytes, source) => tensorBytes(readTorchCheckpoint(bytes, { ...limits, source }).root),
    },
    {
      name: 'pickle',
      seeds: [
        { name: 'protocol-2 state_dict pickle', bytes: pickle(new Map([['w', tensor({ type: 'FloatStorage', key: '0', numel: 4 }, [2, 2])]])) },
        { name: 'nested containers', bytes: pickle({ a: [1, 2.5, 'x', [null, true, { b: -7 }]], c: 123456789012n } as unknown as PickleInput) },
      ],
      maxResultBytes: FUZZ_MAX_BYTES,
      read: (bytes, source) => (unpickle(bytes, { source }), 0),
    },
    {
      name: 'safetensors',
      seeds: safetensorsSeeds(),
      maxResultBytes: FUZZ_MAX_BYTES,
      read: (bytes, source) => mapBytes(readSafetensors(bytes, { ...limits, source }).tensors),
    },
    {
      name: 'readWeights (any format, gzipped or not)',
      seeds: [...zips.slice(0, 1), legacy, ...safetensorsSeeds().slice(0, 1)].flatMap((s) => [s, { name: `${s.name}.gz`, bytes: gzipSync(s.bytes) }]),
      maxResultBytes: FUZZ_MAX_BYTES,
      read: (bytes, source) => mapBytes(readWeights(bytes, { ...limits, source }).tensors),
    },
  ];
}
