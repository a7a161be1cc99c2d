/**
 * Test helpers that write pickles and torch.save files by hand, with the opcodes PyTorch's pickler
 * emits (protocol 2), so the readers can be tested on inputs built to order: views, byte orders,
 * containers, corrupt and hostile files.
 */
import { zipSync } from 'fflate';

export interface StorageSpec {
  /** `FloatStorage`, `HalfStorage`, ... */
  type: string;
  key: string;
  numel: number;
  /** Legacy storage views: (view key, offset, size). */
  view?: [string, number, number];
}

export interface TensorSpec {
  $tensor: { storage: StorageSpec; offset: number; shape: number[]; stride: number[] };
}

/** Values the writer understands: Map -> OrderedDict, plain object -> dict, array -> tuple. */
export type PickleInput = null | boolean | number | bigint | string | PickleInput[] | Map<string, PickleInput> | { [key: string]: PickleInput } | TensorSpec | RawOps;

/** Opcode bytes spliced in as they are (to build hostile pickles). */
export class RawOps {
  constructor(readonly bytes: number[]) {}
}

export class PickleWriter {
  private readonly out: number[] = [];

  op(...bytes: number[]): this {
    this.out.push(...bytes);
    return this;
  }

  u32(n: number): this {
    return this.op(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }

  text(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.op(0x58).u32(b.length).op(...b);
  }

  global(module: string, name: string): this {
    return this.op(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`));
  }

  int(n: number | bigint): this {
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 256) return this.op(0x4b, n);
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 65536) return this.op(0x4d, n & 0xff, n >> 8);
    if (typeof n === 'number' && Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31) return this.op(0x4a).u32(n);
    let v = BigInt(n);
    const bytes: number[] = [];
    while (v !== 0n && v !== -1n) {
      bytes.push(Number(v & 0xffn));
      v >>= 8n;
    }
    const negative = BigInt(n) < 0n;
    if (bytes.length === 0 || ((bytes[bytes.length - 1]! & 0x80) !== 0) !== negative) bytes.push(negative ? 0xff : 0);
    return this.op(0x8a, bytes.length, ...bytes);
  }

  float(x: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    return this.op(0x47, ...b);
  }

  value(v: PickleInput): this {
    if (v instanceof RawOps) return this.op(...v.bytes);
    if (v === null) return this.op(0x4e);
    if (v === true) return this.op(0x88);
    if (v === false) return this.op(0x89);
    if (typeof v === 'bigint') return this.int(v);
    if (typeof v === 'number') return Number.isInteger(v) ? this.int(v) : this.float(v);
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) {
      this.op(0x28);
      for (const item of v) this.value(item);
      return this.op(0x74);
    }
    if (v instanceof Map) {
      this.global('collections', 'OrderedDict').op(0x29, 0x52, 0x28);
      for (const [key, item] of v) this.text(key).value(item);
      return this.op(0x75);
    }
    if ('$tensor' in v && typeof v.$tensor === 'object') {
      const { storage, offset, shape, stride } = (v as TensorSpec).$tensor;
      this.global('torch._utils', '_rebuild_tensor_v2').op(0x28);
      this.op(0x28).text('storage').global('torch', storage.type).text(storage.key).text('cpu').int(storage.numel);
      if (storage.view) this.value(storage.view);
      this.op(0x74, 0x51).int(offset).value(shape).value(stride).op(0x89);
      this.global('collections', 'OrderedDict').op(0x29, 0x52);
      return this.op(0x74, 0x52);
    }
    this.op(0x7d, 0x28);
    for (const [key, item] of Object.entries(v)) this.text(key).value(item as PickleInput);
    return this.op(0x75);
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.out);
  }
}

/** A whole protocol-2 pickle of `value`. */
export function pickle(value: PickleInput): Uint8Array {
  return new PickleWriter().op(0x80, 0x02).value(value).op(0x2e).bytes();
}

export function tensor(storage: StorageSpec, shape: number[], options: { offset?: number; stride?: number[] } = {}): TensorSpec {
  const stride = options.stride ?? shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return { $tensor: { storage, offset: options.offset ?? 0, shape, stride } };
}

export function f32Bytes(values: number[], order: 'little' | 'big' = 'little'): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const view = new DataView(b.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, order === 'little'));
  return b;
}

export function i64Bytes(values: bigint[], order: 'little' | 'big' = 'little'): Uint8Array {
  const b = new Uint8Array(values.length * 8);
  const view = new DataView(b.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, v, order === 'little'));
  return b;
}

export function u16Bytes(values: number[], order: 'little' | 'big' = 'little'): Uint8Array {
  const b = new Uint8Array(values.length * 2);
  const view = new DataView(b.buffer);
  values.forEach((v, i) => view.setUint16(i * 2, v, order === 'little'));
  return b;
}

/** A torch.save zip archive: `<top>/data.pkl`, `<top>/data/<key>`, `<top>/version`, optional byteorder. */
export function torchZip(
  pickleBytes: Uint8Array,
  storages: Record<string, Uint8Array>,
  options: { top?: string; byteorder?: string; deflate?: boolean } = {},
): Uint8Array {
  const top = options.top ?? 'archive';
  const files: Record<string, Uint8Array> = { [`${top}/data.pkl`]: pickleBytes };
  if (options.byteorder) files[`${top}/byteorder`] = new TextEncoder().encode(options.byteorder);
  for (const [key, bytes] of Object.entries(storages)) files[`${top}/data/${key}`] = bytes;
  files[`${top}/version`] = new TextEncoder().encode('3\n');
  return zipSync(files, { level: options.deflate ? 6 : 0 });
}

/** A legacy torch.save file: five pickles, then each storage as an int64 element count and its bytes. */
export function torchLegacy(
  objectPickle: Uint8Array,
  storages: Array<{ key: string; numel: number; bytes: Uint8Array }>,
): Uint8Array {
  const parts: Uint8Array[] = [
    pickle(0x1950a86a20f9469cfc6cn),
    pickle(1001),
    pickle({ protocol_version: 1001, little_endian: true, type_sizes: { short: 2, int: 4, long: 4 } }),
    objectPickle,
    new PickleWriter()
      .op(0x80, 0x02, 0x5d, 0x28)
      .value(new RawOps([...storages.flatMap((s) => [...new PickleWriter().text(s.key).bytes()])]))
      .op(0x65, 0x2e)
      .bytes(),
  ];
  for (const s of storages) parts.push(i64Bytes([BigInt(s.numel)]), s.bytes);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
