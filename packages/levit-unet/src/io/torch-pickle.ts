/**
 * A safe unpickler for the pickles inside PyTorch checkpoints.
 *
 * Hand-written because no maintained, safe JS unpickler for torch exists: the one general npm parser
 * (`pickleparser`, two releases on one day in 2024) resolves any global to a stand-in object and
 * calls `__setstate__`/`Object.assign` on whatever BUILD meets, so it neither refuses unknown globals
 * nor guards against prototype pollution. Here nothing is ever executed: every GLOBAL is looked up in
 * a fixed allowlist and anything else is refused; REDUCE/NEWOBJ/BUILD only do the one thing each
 * allowed global means. Python dicts become Maps (no `__proto__` keys on plain objects), tuples and
 * lists become arrays, ints become numbers (bigint beyond 2^53), `bytes` become Uint8Arrays.
 * Every read is bounded by the input length and every opcode consumes at least one byte, so the loop
 * ends on any input.
 */
import { STORAGE_CLASSES, TorchStorageRef, TorchTensorRef } from './torch-storage.js';

/** An allowed non-tensor Python object (only `argparse.Namespace`, as stored in training checkpoints). */
export class PickleRecord {
  state: unknown = null;
  constructor(
    /** `module.name` of the class. */
    readonly className: string,
    readonly args: unknown[],
  ) {}
}

type GlobalRole =
  | { kind: 'ordered-dict' }
  | { kind: 'rebuild-tensor'; version: 1 | 2 }
  | { kind: 'rebuild-parameter'; withState: boolean }
  | { kind: 'rebuild-from-type' }
  | { kind: 'tensor-type' }
  | { kind: 'storage'; className: string }
  | { kind: 'record' }
  | { kind: 'codecs-encode' };

/** A resolved, allowed GLOBAL on the stack. */
class PickleGlobal {
  constructor(
    readonly fullName: string,
    readonly role: GlobalRole,
  ) {}
}

/**
 * The globals a state_dict or training checkpoint needs, and nothing else. `torch.storage._load_from_bytes`
 * (it calls torch.load recursively), `torch.device`, numpy scalars and every class/function not listed
 * here are refused.
 */
const ALLOWED_GLOBALS: ReadonlyMap<string, GlobalRole> = new Map<string, GlobalRole>([
  ['collections.OrderedDict', { kind: 'ordered-dict' }],
  ['torch._utils._rebuild_tensor', { kind: 'rebuild-tensor', version: 1 }],
  ['torch._utils._rebuild_tensor_v2', { kind: 'rebuild-tensor', version: 2 }],
  ['torch._utils._rebuild_parameter', { kind: 'rebuild-parameter', withState: false }],
  ['torch._utils._rebuild_parameter_with_state', { kind: 'rebuild-parameter', withState: true }],
  ['torch._tensor._rebuild_from_type_v2', { kind: 'rebuild-from-type' }],
  ['torch.Tensor', { kind: 'tensor-type' }],
  ['torch.nn.parameter.Parameter', { kind: 'tensor-type' }],
  ['argparse.Namespace', { kind: 'record' }],
  // Protocol 2 pickles Python 3 `bytes` as _codecs.encode(str, 'latin1').
  ['_codecs.encode', { kind: 'codecs-encode' }],
  ...[...STORAGE_CLASSES.keys()].map((name): [string, GlobalRole] => [
    `torch.${name}`,
    { kind: 'storage', className: name },
  ]),
]);

/** The sorted allowlist, for documentation and error messages. */
export const ALLOWED_PICKLE_GLOBALS: readonly string[] = [...ALLOWED_GLOBALS.keys()].sort();

const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT',
  0x4a: 'BININT', 0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID',
  0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT',
  0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET',
  0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT',
  0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT', 0x80: 'PROTO',
  0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3',
  0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES',
  0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS',
  0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/** Python ints wider than this many bytes are refused (none occur in checkpoints; bigint parsing is quadratic). */
const MAX_LONG_BYTES = 1024;

export interface UnpickleResult {
  value: unknown;
  /** Offset just past the STOP opcode (the legacy format stores several pickles back to back). */
  end: number;
  /** Every storage the pickle referenced, by key (first reference wins; later ones must agree). */
  storages: Map<string, TorchStorageRef>;
}

export interface UnpickleOptions {
  /** Names the input in error messages (a file name, or `file.pth:archive/data.pkl`). */
  source: string;
  /** Where the pickle starts in `bytes`. */
  start?: number;
  /**
   * Called for a BINPERSID whose id is not a `('storage', ...)` tuple; return the object it stands for
   * or throw. Without it such ids are refused.
   */
  persistentLoad?: (pid: unknown) => unknown;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

function describeValue(value: unknown): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return `tuple/list of ${value.length}`;
  if (value instanceof Map) return 'dict';
  if (value instanceof PickleGlobal) return `global ${value.fullName}`;
  if (value instanceof TorchTensorRef) return 'tensor';
  if (value instanceof TorchStorageRef) return 'storage';
  if (value instanceof PickleRecord) return value.className;
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value === 'string' ? `str ${JSON.stringify(value.slice(0, 40))}` : typeof value;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isIndexTuple(value: unknown): value is number[] {
  return Array.isArray(value) && value.every(isIndex);
}

/** Runs one pickle from `options.start` to its STOP. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): UnpickleResult {
  const { source } = options;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  const storages = new Map<string, TorchStorageRef>();
  let pos = options.start ?? 0;
  let opStart = pos;
  let opName = '';

  const fail = (message: string): never => {
    throw new Error(`${source}: ${message} (pickle opcode ${opName} at byte ${opStart})`);
  };
  const need = (n: number): number => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > bytes.length) {
      fail(`truncated pickle: needs ${n} more bytes but only ${bytes.length - pos} remain`);
    }
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = (): number => bytes[need(1)]!;
  const u16 = (): number => view.getUint16(need(2), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const at = need(8);
    const value = view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`length ${value} is too large`);
    return Number(value);
  };
  const take = (n: number): Uint8Array => bytes.subarray(need(n), pos);
  const line = (): string => {
    const newline = bytes.indexOf(0x0a, pos);
    if (newline < 0) fail('truncated pickle: unterminated text line');
    const text = latin1.decode(bytes.subarray(pos, newline));
    pos = newline + 1;
    return text;
  };
  const text = (n: number): string => {
    const raw = take(n);
    try {
      return utf8.decode(raw);
    } catch {
      return fail('string is not valid UTF-8');
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) {
      fail('stack underflow');
    }
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const mark = marks.pop();
    if (mark === undefined) return fail('no MARK on the stack');
    return stack.splice(mark);
  };
  const long = (raw: Uint8Array): number | bigint => {
    if (raw.length === 0) return 0;
    let value = 0n;
    for (let i = raw.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
    if (raw[raw.length - 1]! & 0x80) value -= 1n << BigInt(raw.length * 8);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  };
  const resolveGlobal = (module: string, name: string): PickleGlobal => {
    const fullName = `${module}.${name}`;
    const role = ALLOWED_GLOBALS.get(fullName);
    if (!role) {
      fail(`refusing to unpickle global "${fullName}": only state_dict globals are allowed`);
    }
    return new PickleGlobal(fullName, role!);
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) fail(`cannot set items on ${describeValue(target)}`);
    if (items.length % 2 !== 0) fail('odd number of items for a dict');
    for (let i = 0; i < items.length; i += 2) (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    if (!Array.isArray(target)) fail(`cannot append to ${describeValue(target)}`);
    for (const item of items) (target as unknown[]).push(item);
  };
  const storageFromPid = (pid: unknown): unknown => {
    if (!Array.isArray(pid) || pid[0] !== 'storage') {
      if (options.persistentLoad) return options.persistentLoad(pid);
      return fail(`refusing persistent id ${describeValue(pid)}: only ('storage', ...) ids are allowed`);
    }
    const [, type, key, , numel, viewMetadata] = pid;
    if (!(type instanceof PickleGlobal) || type.role.kind !== 'storage') {
      return fail(`persistent id names storage type ${describeValue(type)}, expected a torch.*Storage class`);
    }
    if (typeof key !== 'string' || !isIndex(numel)) {
      return fail(`malformed storage persistent id (key ${describeValue(key)}, numel ${describeValue(numel)})`);
    }
    const className = type.role.className;
    const storageClass = STORAGE_CLASSES.get(className)!;
    let viewOffset = 0;
    let viewSize = numel;
    if (viewMetadata !== undefined && viewMetadata !== null) {
      const [, offset, size] = Array.isArray(viewMetadata) ? viewMetadata : [];
      if (!isIndex(offset) || !isIndex(size) || offset + size > numel) {
        return fail(`malformed storage view metadata for storage "${key}" of ${numel} elements`);
      }
      viewOffset = offset;
      viewSize = size;
    }
    const known = storages.get(key);
    if (known && (known.className !== className || known.numel !== numel)) {
      fail(
        `storage "${key}" is referenced as ${known.className} of ${known.numel} elements and as ${className} of ${numel}`,
      );
    }
    if (!known) storages.set(key, new TorchStorageRef(className, storageClass, key, numel, 0, numel));
    return new TorchStorageRef(className, storageClass, key, numel, viewOffset, viewSize);
  };
  const rebuildTensor = (args: unknown[]): TorchTensorRef => {
    const [storage, offset, shape, stride] = args;
    if (!(storage instanceof TorchStorageRef)) return fail(`tensor storage is ${describeValue(storage)}`);
    if (!isIndex(offset) || !isIndexTuple(shape) || !isIndexTuple(stride) || shape.length !== stride.length) {
      return fail(
        `malformed tensor view: offset ${describeValue(offset)}, size ${describeValue(shape)}, stride ${describeValue(stride)}`,
      );
    }
    return new TorchTensorRef(storage, offset, [...shape], [...stride]);
  };
  const call = (callable: unknown, args: unknown): unknown => {
    if (!(callable instanceof PickleGlobal)) return fail(`cannot call ${describeValue(callable)}`);
    if (!Array.isArray(args)) return fail(`arguments of ${callable.fullName} are ${describeValue(args)}, not a tuple`);
    const { role } = callable;
    switch (role.kind) {
      case 'ordered-dict': {
        const dict = new Map<unknown, unknown>();
        const pairs = args.length === 0 ? [] : args[0];
        if (!Array.isArray(pairs)) return fail('collections.OrderedDict argument is not a list of pairs');
        for (const pair of pairs) {
          if (!Array.isArray(pair) || pair.length !== 2) return fail('collections.OrderedDict item is not a pair');
          dict.set(pair[0], pair[1]);
        }
        return dict;
      }
      case 'rebuild-tensor':
        return rebuildTensor(args);
      case 'rebuild-parameter':
        if (!(args[0] instanceof TorchTensorRef)) return fail(`${callable.fullName} got ${describeValue(args[0])}`);
        return args[0];
      case 'rebuild-from-type': {
        const [func, type, funcArgs] = args;
        if (!(type instanceof PickleGlobal) || type.role.kind !== 'tensor-type') {
          return fail(`${callable.fullName} asks for type ${describeValue(type)}; only torch.Tensor/Parameter are allowed`);
        }
        return call(func, funcArgs);
      }
      case 'codecs-encode': {
        const [value, encoding] = args;
        if (typeof value !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
          return fail('_codecs.encode is only allowed as encode(str, "latin1") (how protocol 2 stores bytes)');
        }
        const out = new Uint8Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const c = value.charCodeAt(i);
          if (c > 0xff) return fail('_codecs.encode: character outside latin1');
          out[i] = c;
        }
        return out;
      }
      default:
        return fail(`${callable.fullName} cannot be called`);
    }
  };
  const build = (target: unknown, state: unknown): void => {
    // OrderedDict carries `_metadata` (per-module versions); tensors and parameters may carry Python attributes. Neither matters for weights.
    if (target instanceof Map || target instanceof TorchTensorRef) return;
    if (target instanceof PickleRecord) {
      target.state = state;
      return;
    }
    fail(`cannot BUILD ${describeValue(target)}`);
  };

  for (;;) {
    opStart = pos;
    if (pos >= bytes.length) {
      opName = 'end of input';
      fail('truncated pickle: no STOP opcode');
    }
    const op = bytes[pos++]!;
    opName = OPCODE_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`;
    switch (op) {
      case 0x80: {
        const protocol = u8();
        if (protocol > 5) fail(`unsupported pickle protocol ${protocol}`);
        break;
      }
      case 0x95: {
        // Frames only group bytes for buffered readers; the opcodes inside follow as usual.
        const frame = u64();
        if (frame > bytes.length - pos) fail(`truncated pickle: frame of ${frame} bytes, ${bytes.length - pos} remain`);
        break;
      }
      case 0x2e: {
        const value = pop();
        return { value, end: pos, storages };
      }
      case 0x28:
        marks.push(stack.length);
        break;
      case 0x30:
        pop();
        break;
      case 0x31:
        popMark();
        break;
      case 0x32:
        stack.push(top());
        break;
      case 0x4e:
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4a:
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x4b:
        stack.push(u8());
        break;
      case 0x4d:
        stack.push(u16());
        break;
      case 0x8a:
        stack.push(long(take(u8())));
        break;
      case 0x8b: {
        const n = u32();
        if (n > MAX_LONG_BYTES) fail(`integer of ${n} bytes is too large`);
        stack.push(long(take(n)));
        break;
      }
      case 0x47:
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x58:
        stack.push(text(u32()));
        break;
      case 0x8c:
        stack.push(text(u8()));
        break;
      case 0x8d:
        stack.push(text(u64()));
        break;
      case 0x54:
        stack.push(text(view.getInt32(need(4), true)));
        break;
      case 0x55:
        stack.push(text(u8()));
        break;
      case 0x42:
        stack.push(take(u32()).slice());
        break;
      case 0x43:
        stack.push(take(u8()).slice());
        break;
      case 0x8e:
      case 0x96:
        stack.push(take(u64()).slice());
        break;
      case 0x7d:
        stack.push(new Map());
        break;
      case 0x5d:
        stack.push([]);
        break;
      case 0x29:
        stack.push([]);
        break;
      case 0x8f:
        stack.push(new Set());
        break;
      case 0x64: {
        const items = popMark();
        const dict = new Map<unknown, unknown>();
        setItems(dict, items);
        stack.push(dict);
        break;
      }
      case 0x6c:
      case 0x74:
        stack.push(popMark());
        break;
      case 0x91:
        stack.push(new Set(popMark()));
        break;
      case 0x85:
        stack.push([pop()]);
        break;
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      }
      case 0x73: {
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        const item = pop();
        appendItems(top(), [item]);
        break;
      }
      case 0x65: {
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x90: {
        const items = popMark();
        const target = top();
        if (!(target instanceof Set)) fail(`cannot add items to ${describeValue(target)}`);
        for (const item of items) (target as Set<unknown>).add(item);
        break;
      }
      case 0x71:
        memo.set(u8(), top());
        break;
      case 0x72:
        memo.set(u32(), top());
        break;
      case 0x94:
        memo.set(memo.size, top());
        break;
      case 0x68:
      case 0x6a: {
        const index = op === 0x68 ? u8() : u32();
        if (!memo.has(index)) fail(`memo entry ${index} was never stored`);
        stack.push(memo.get(index));
        break;
      }
      case 0x63: {
        const module = line();
        const name = line();
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x93: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        const args = pop();
        const callable = pop();
        stack.push(call(callable, args));
        break;
      }
      case 0x81: {
        const args = pop();
        const cls = pop();
        if (!(cls instanceof PickleGlobal) || cls.role.kind !== 'record' || !Array.isArray(args)) {
          fail(`cannot create an object of ${describeValue(cls)}`);
        }
        stack.push(new PickleRecord((cls as PickleGlobal).fullName, args as unknown[]));
        break;
      }
      case 0x62: {
        const state = pop();
        build(top(), state);
        break;
      }
      case 0x51:
        stack.push(storageFromPid(pop()));
        break;
      default:
        fail('unsupported pickle opcode');
    }
  }
}
