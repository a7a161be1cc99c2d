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
import type { ReadLimits } from './read-limits.js';
import { STORAGE_CLASSES, TorchStorageRef, TorchTensorRef } from './torch-storage.js';
import { quote } from './quote.js';

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

/** Pickle opcodes by name (Python's `pickletools`), protocols 0-5. */
const OP = {
  MARK: 0x28, STOP: 0x2e, POP: 0x30, POP_MARK: 0x31, DUP: 0x32, FLOAT: 0x46, INT: 0x49, BININT: 0x4a,
  BININT1: 0x4b, LONG: 0x4c, BININT2: 0x4d, NONE: 0x4e, PERSID: 0x50, BINPERSID: 0x51, REDUCE: 0x52,
  STRING: 0x53, BINSTRING: 0x54, SHORT_BINSTRING: 0x55, UNICODE: 0x56, BINUNICODE: 0x58, APPEND: 0x61,
  BUILD: 0x62, GLOBAL: 0x63, DICT: 0x64, EMPTY_DICT: 0x7d, APPENDS: 0x65, GET: 0x67, BINGET: 0x68, INST: 0x69,
  LONG_BINGET: 0x6a, LIST: 0x6c, EMPTY_LIST: 0x5d, OBJ: 0x6f, PUT: 0x70, BINPUT: 0x71, LONG_BINPUT: 0x72,
  SETITEM: 0x73, TUPLE: 0x74, EMPTY_TUPLE: 0x29, SETITEMS: 0x75, BINFLOAT: 0x47, PROTO: 0x80, NEWOBJ: 0x81,
  EXT1: 0x82, EXT2: 0x83, EXT4: 0x84, TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87, NEWTRUE: 0x88, NEWFALSE: 0x89,
  LONG1: 0x8a, LONG4: 0x8b, BINBYTES: 0x42, SHORT_BINBYTES: 0x43, SHORT_BINUNICODE: 0x8c, BINUNICODE8: 0x8d,
  BINBYTES8: 0x8e, EMPTY_SET: 0x8f, ADDITEMS: 0x90, FROZENSET: 0x91, NEWOBJ_EX: 0x92, STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94, FRAME: 0x95, BYTEARRAY8: 0x96, NEXT_BUFFER: 0x97, READONLY_BUFFER: 0x98,
} as const;

const OPCODE_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(OP).map(([name, code]) => [code, name]));

/** Python ints wider than this many bytes are refused (none occur in checkpoints; bigint parsing is quadratic). */
const MAX_LONG_BYTES = 1024;

export interface UnpickleResult {
  value: unknown;
  /** Offset just past the STOP opcode (the legacy format stores several pickles back to back). */
  end: number;
  /** Every storage the pickle referenced, by key (first reference wins; later ones must agree). */
  storages: Map<string, TorchStorageRef>;
}

/**
 * Python's pickler recurses once per nesting level and stops at the interpreter's recursion limit
 * (1000 by default), so no pickle written by `torch.save` nests deeper than this.
 */
export const DEFAULT_MAX_PICKLE_DEPTH = 1000;

/** Limits of the unpickler: the readers' size limits and the nesting depth. */
export interface UnpickleLimits extends ReadLimits {
  /** Deepest container nesting accepted (default DEFAULT_MAX_PICKLE_DEPTH, 1000). */
  maxDepth?: number;
}

/** Options of `unpickle`. */
export interface UnpickleOptions extends UnpickleLimits {
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

/** The state of one run of the pickle machine: input cursor, stack, marks, memo, storages seen. */
class Unpickler {
  readonly view: DataView;
  readonly stack: unknown[] = [];
  readonly marks: number[] = [];
  readonly memo = new Map<number, unknown>();
  readonly storages = new Map<string, TorchStorageRef>();
  /** Nesting depth of each container built so far (1 = holds no containers). */
  readonly depths = new WeakMap<object, number>();
  readonly maxDepth: number;
  pos: number;
  opStart: number;
  opName = '';
  /** Set by STOP. */
  result: { value: unknown } | null = null;

  constructor(
    readonly bytes: Uint8Array,
    readonly options: UnpickleOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = options.start ?? 0;
    this.opStart = this.pos;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_PICKLE_DEPTH;
  }

  /**
   * Records that `container` now holds `items`, refusing nesting deeper than maxDepth. O(1) per item, so
   * a deeply nested pickle fails at the level that crosses the limit instead of burdening every later walk.
   */
  nest(container: object, items: readonly unknown[]): void {
    let depth = this.depths.get(container) ?? 1;
    for (const item of items) {
      if (typeof item === 'object' && item !== null) depth = Math.max(depth, (this.depths.get(item) ?? 1) + 1);
    }
    if (depth > this.maxDepth) this.fail(`containers nested ${depth} deep, more than the maxDepth limit of ${this.maxDepth}`);
    this.depths.set(container, depth);
  }
  /** A new list/tuple/set of `items`, with its depth recorded. */
  container<T extends object>(value: T, items: readonly unknown[]): T {
    this.nest(value, items);
    return value;
  }

  fail(message: string): never {
    throw new Error(`${this.options.source}: ${message} (pickle opcode ${this.opName} at byte ${this.opStart})`);
  }

  // --- input: every read is bounded by the input length ---
  need(n: number): number {
    if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.bytes.length) {
      this.fail(`truncated pickle: needs ${n} more bytes but only ${this.bytes.length - this.pos} remain`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(): number {
    return this.bytes[this.need(1)]!;
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  u64(): number {
    const value = this.view.getBigUint64(this.need(8), true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${value} is too large`);
    return Number(value);
  }
  take(n: number): Uint8Array {
    return this.bytes.subarray(this.need(n), this.pos);
  }
  line(): string {
    const newline = this.bytes.indexOf(0x0a, this.pos);
    if (newline < 0) this.fail('truncated pickle: unterminated text line');
    const text = latin1.decode(this.bytes.subarray(this.pos, newline));
    this.pos = newline + 1;
    return text;
  }
  text(n: number): string {
    const raw = this.take(n);
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail('string is not valid UTF-8');
    }
  }
  long(raw: Uint8Array): number | bigint {
    if (raw.length === 0) return 0;
    let value = 0n;
    for (let i = raw.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
    if (raw[raw.length - 1]! & 0x80) value -= 1n << BigInt(raw.length * 8);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  // --- stack ---
  push(value: unknown): void {
    this.stack.push(value);
  }
  pop(): unknown {
    const { stack, marks } = this;
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) this.fail('stack underflow');
    return stack.pop();
  }
  top(): unknown {
    if (this.stack.length === 0) this.fail('stack underflow');
    return this.stack[this.stack.length - 1];
  }
  popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) return this.fail('no MARK on the stack');
    return this.stack.splice(mark);
  }
  memoGet(index: number): void {
    if (!this.memo.has(index)) this.fail(`memo entry ${index} was never stored`);
    this.push(this.memo.get(index));
  }

  // --- containers ---
  setItems(target: unknown, items: unknown[]): void {
    if (!(target instanceof Map)) this.fail(`cannot set items on ${describeValue(target)}`);
    if (items.length % 2 !== 0) this.fail('odd number of items for a dict');
    this.nest(target as object, items);
    for (let i = 0; i < items.length; i += 2) (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
  }
  appendItems(target: unknown, items: unknown[]): void {
    if (!Array.isArray(target)) this.fail(`cannot append to ${describeValue(target)}`);
    this.nest(target as object, items);
    for (const item of items) (target as unknown[]).push(item);
  }

  // --- the allowed globals and what calling them means ---
  resolveGlobal(module: unknown, name: unknown): PickleGlobal {
    if (typeof module !== 'string' || typeof name !== 'string') this.fail('a global needs a module and a name string');
    const fullName = `${module}.${name}`;
    const role = ALLOWED_GLOBALS.get(fullName);
    if (!role) this.fail(`refusing to unpickle global ${quote(fullName)}: only state_dict globals are allowed`);
    return new PickleGlobal(fullName, role);
  }
  storageFromPid(pid: unknown): unknown {
    if (!Array.isArray(pid) || pid[0] !== 'storage') {
      if (this.options.persistentLoad) return this.options.persistentLoad(pid);
      return this.fail(`refusing persistent id ${describeValue(pid)}: only ('storage', ...) ids are allowed`);
    }
    const [, type, key, , numel, viewMetadata] = pid;
    if (!(type instanceof PickleGlobal) || type.role.kind !== 'storage') {
      return this.fail(`persistent id names storage type ${describeValue(type)}, expected a torch.*Storage class`);
    }
    if (typeof key !== 'string' || !isIndex(numel)) {
      return this.fail(`malformed storage persistent id (key ${describeValue(key)}, numel ${describeValue(numel)})`);
    }
    const className = type.role.className;
    const storageClass = STORAGE_CLASSES.get(className)!;
    let viewOffset = 0;
    let viewSize = numel;
    if (viewMetadata !== undefined && viewMetadata !== null) {
      const [, offset, size] = Array.isArray(viewMetadata) ? viewMetadata : [];
      if (!isIndex(offset) || !isIndex(size) || offset + size > numel) {
        return this.fail(`malformed storage view metadata for storage ${quote(key)} of ${numel} elements`);
      }
      viewOffset = offset;
      viewSize = size;
    }
    const known = this.storages.get(key);
    if (known && (known.className !== className || known.numel !== numel)) {
      this.fail(`storage ${quote(key)} is referenced as ${known.className} of ${known.numel} elements and as ${className} of ${numel}`);
    }
    if (!known) this.storages.set(key, new TorchStorageRef(className, storageClass, key, numel, 0, numel));
    return new TorchStorageRef(className, storageClass, key, numel, viewOffset, viewSize);
  }
  rebuildTensor(args: unknown[]): TorchTensorRef {
    const [storage, offset, shape, stride] = args;
    if (!(storage instanceof TorchStorageRef)) return this.fail(`tensor storage is ${describeValue(storage)}`);
    if (!isIndex(offset) || !isIndexTuple(shape) || !isIndexTuple(stride) || shape.length !== stride.length) {
      return this.fail(`malformed tensor view: offset ${describeValue(offset)}, size ${describeValue(shape)}, stride ${describeValue(stride)}`);
    }
    return new TorchTensorRef(storage, offset, [...shape], [...stride]);
  }
  call(callable: unknown, args: unknown): unknown {
    if (!(callable instanceof PickleGlobal)) return this.fail(`cannot call ${describeValue(callable)}`);
    if (!Array.isArray(args)) return this.fail(`arguments of ${callable.fullName} are ${describeValue(args)}, not a tuple`);
    const { role } = callable;
    switch (role.kind) {
      case 'ordered-dict': {
        const dict = new Map<unknown, unknown>();
        const pairs = args.length === 0 ? [] : args[0];
        if (!Array.isArray(pairs)) return this.fail('collections.OrderedDict argument is not a list of pairs');
        for (const pair of pairs) {
          if (!Array.isArray(pair) || pair.length !== 2) return this.fail('collections.OrderedDict item is not a pair');
          dict.set(pair[0], pair[1]);
        }
        this.nest(dict, pairs as unknown[]);
        return dict;
      }
      case 'rebuild-tensor':
        return this.rebuildTensor(args);
      case 'rebuild-parameter':
        if (!(args[0] instanceof TorchTensorRef)) return this.fail(`${callable.fullName} got ${describeValue(args[0])}`);
        return args[0];
      case 'rebuild-from-type': {
        const [func, type, funcArgs] = args;
        if (!(type instanceof PickleGlobal) || type.role.kind !== 'tensor-type') {
          return this.fail(`${callable.fullName} asks for type ${describeValue(type)}; only torch.Tensor/Parameter are allowed`);
        }
        return this.call(func, funcArgs);
      }
      case 'codecs-encode': {
        const [value, encoding] = args;
        if (typeof value !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
          return this.fail('_codecs.encode is only allowed as encode(str, "latin1") (how protocol 2 stores bytes)');
        }
        const out = new Uint8Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const c = value.charCodeAt(i);
          if (c > 0xff) return this.fail('_codecs.encode: character outside latin1');
          out[i] = c;
        }
        return out;
      }
      default:
        return this.fail(`${callable.fullName} cannot be called`);
    }
  }
  newObject(cls: unknown, args: unknown): PickleRecord {
    if (!(cls instanceof PickleGlobal) || cls.role.kind !== 'record' || !Array.isArray(args)) {
      return this.fail(`cannot create an object of ${describeValue(cls)}`);
    }
    return this.container(new PickleRecord(cls.fullName, args), args);
  }
  build(target: unknown, state: unknown): void {
    // OrderedDict carries `_metadata` (per-module versions); tensors and parameters may carry Python attributes. Neither matters for weights.
    if (target instanceof Map || target instanceof TorchTensorRef) return;
    if (target instanceof PickleRecord) {
      this.nest(target, [state]);
      target.state = state;
      return;
    }
    this.fail(`cannot BUILD ${describeValue(target)}`);
  }
}

type OpHandler = (u: Unpickler) => void;

/** What each supported opcode does; an opcode missing here (INST, OBJ, EXT*, PERSID, text-protocol ints, ...) is refused. */
const HANDLERS: ReadonlyMap<number, OpHandler> = new Map<number, OpHandler>([
  [OP.PROTO, (u) => {
    const protocol = u.u8();
    if (protocol > 5) u.fail(`unsupported pickle protocol ${protocol}`);
  }],
  // Frames only group bytes for buffered readers; the opcodes inside follow as usual.
  [OP.FRAME, (u) => {
    const frame = u.u64();
    if (frame > u.bytes.length - u.pos) u.fail(`truncated pickle: frame of ${frame} bytes, ${u.bytes.length - u.pos} remain`);
  }],
  [OP.STOP, (u) => {
    u.result = { value: u.pop() };
  }],
  [OP.MARK, (u) => void u.marks.push(u.stack.length)],
  [OP.POP, (u) => void u.pop()],
  [OP.POP_MARK, (u) => void u.popMark()],
  [OP.DUP, (u) => u.push(u.top())],
  [OP.NONE, (u) => u.push(null)],
  [OP.NEWTRUE, (u) => u.push(true)],
  [OP.NEWFALSE, (u) => u.push(false)],
  [OP.BININT, (u) => u.push(u.i32())],
  [OP.BININT1, (u) => u.push(u.u8())],
  [OP.BININT2, (u) => u.push(u.u16())],
  [OP.LONG1, (u) => u.push(u.long(u.take(u.u8())))],
  [OP.LONG4, (u) => {
    const n = u.u32();
    if (n > MAX_LONG_BYTES) u.fail(`integer of ${n} bytes is too large`);
    u.push(u.long(u.take(n)));
  }],
  [OP.BINFLOAT, (u) => u.push(u.view.getFloat64(u.need(8), false))],
  [OP.BINUNICODE, (u) => u.push(u.text(u.u32()))],
  [OP.SHORT_BINUNICODE, (u) => u.push(u.text(u.u8()))],
  [OP.BINUNICODE8, (u) => u.push(u.text(u.u64()))],
  [OP.BINSTRING, (u) => u.push(u.text(u.i32()))],
  [OP.SHORT_BINSTRING, (u) => u.push(u.text(u.u8()))],
  [OP.BINBYTES, (u) => u.push(u.take(u.u32()).slice())],
  [OP.SHORT_BINBYTES, (u) => u.push(u.take(u.u8()).slice())],
  [OP.BINBYTES8, (u) => u.push(u.take(u.u64()).slice())],
  [OP.BYTEARRAY8, (u) => u.push(u.take(u.u64()).slice())],
  [OP.EMPTY_DICT, (u) => u.push(new Map())],
  [OP.EMPTY_LIST, (u) => u.push([])],
  [OP.EMPTY_TUPLE, (u) => u.push([])],
  [OP.EMPTY_SET, (u) => u.push(new Set())],
  [OP.DICT, (u) => {
    const dict = new Map<unknown, unknown>();
    u.setItems(dict, u.popMark());
    u.push(dict);
  }],
  [OP.LIST, (u) => {
    const items = u.popMark();
    u.push(u.container(items, items));
  }],
  [OP.TUPLE, (u) => {
    const items = u.popMark();
    u.push(u.container(items, items));
  }],
  [OP.FROZENSET, (u) => {
    const items = u.popMark();
    u.push(u.container(new Set(items), items));
  }],
  [OP.TUPLE1, (u) => {
    const items = [u.pop()];
    u.push(u.container(items, items));
  }],
  [OP.TUPLE2, (u) => {
    const b = u.pop();
    const items = [u.pop(), b];
    u.push(u.container(items, items));
  }],
  [OP.TUPLE3, (u) => {
    const c = u.pop();
    const b = u.pop();
    const items = [u.pop(), b, c];
    u.push(u.container(items, items));
  }],
  [OP.SETITEM, (u) => {
    const value = u.pop();
    const key = u.pop();
    u.setItems(u.top(), [key, value]);
  }],
  [OP.SETITEMS, (u) => {
    const items = u.popMark();
    u.setItems(u.top(), items);
  }],
  [OP.APPEND, (u) => {
    const item = u.pop();
    u.appendItems(u.top(), [item]);
  }],
  [OP.APPENDS, (u) => {
    const items = u.popMark();
    u.appendItems(u.top(), items);
  }],
  [OP.ADDITEMS, (u) => {
    const items = u.popMark();
    const target = u.top();
    if (!(target instanceof Set)) return u.fail(`cannot add items to ${describeValue(target)}`);
    u.nest(target, items);
    for (const item of items) target.add(item);
  }],
  [OP.BINPUT, (u) => void u.memo.set(u.u8(), u.top())],
  [OP.LONG_BINPUT, (u) => void u.memo.set(u.u32(), u.top())],
  [OP.MEMOIZE, (u) => void u.memo.set(u.memo.size, u.top())],
  [OP.BINGET, (u) => u.memoGet(u.u8())],
  [OP.LONG_BINGET, (u) => u.memoGet(u.u32())],
  [OP.GLOBAL, (u) => {
    const module = u.line();
    u.push(u.resolveGlobal(module, u.line()));
  }],
  [OP.STACK_GLOBAL, (u) => {
    const name = u.pop();
    u.push(u.resolveGlobal(u.pop(), name));
  }],
  [OP.REDUCE, (u) => {
    const args = u.pop();
    u.push(u.call(u.pop(), args));
  }],
  [OP.NEWOBJ, (u) => {
    const args = u.pop();
    u.push(u.newObject(u.pop(), args));
  }],
  [OP.BUILD, (u) => {
    const state = u.pop();
    u.build(u.top(), state);
  }],
  [OP.BINPERSID, (u) => u.push(u.storageFromPid(u.pop()))],
]);

/** Runs one pickle from `options.start` to its STOP. Every opcode consumes at least one byte, so the loop ends on any input. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): UnpickleResult {
  const u = new Unpickler(bytes, options);
  for (;;) {
    u.opStart = u.pos;
    if (u.pos >= bytes.length) {
      u.opName = 'end of input';
      u.fail('truncated pickle: no STOP opcode');
    }
    const op = bytes[u.pos++]!;
    u.opName = OPCODE_NAMES.get(op) ?? `0x${op.toString(16).padStart(2, '0')}`;
    const handler = HANDLERS.get(op);
    if (!handler) return u.fail('unsupported pickle opcode');
    handler(u);
    if (u.result) return { value: u.result.value, end: u.pos, storages: u.storages };
  }
}
