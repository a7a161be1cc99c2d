/**
 * Reading a torch.save checkpoint (zip or legacy format) into plain JS values with tensors, and finding
 * the state_dict inside the containers people ship.
 */
import { isGzip } from './gzip.js';
import { isTensorEntry, type TensorData, type TensorDtype, type TensorEntry, type TensorMap } from './tensor-map.js';
import { readTorchLegacy, isLegacyTorch } from './torch-legacy.js';
import { DEFAULT_MAX_PICKLE_DEPTH, PickleRecord, type UnpickleLimits } from './torch-pickle.js';
import { ByteBudget, maxBytesOf } from './read-limits.js';
import type { ByteOrder } from './byte-order.js';
import { decodeElements } from './element-bytes.js';
import { TorchTensorRef, viewTensor, type TorchFileContents } from './torch-storage.js';
import { isZip, readTorchZip } from './torch-zip.js';
import { quote } from './quote.js';

/** A `torch.save` file read without running code: its format, byte order and unpickled root. */
export interface TorchCheckpoint {
  /** The name used in error messages. */
  source: string;
  format: 'zip' | 'legacy';
  byteOrder: ByteOrder;
  /**
   * The unpickled object: dicts are Maps (insertion order kept), lists and tuples arrays, tensors
   * TensorEntry, `argparse.Namespace` a PickleRecord.
   */
  root: unknown;
}

/** Options of `readTorchCheckpoint`. */
export interface ReadTorchCheckpointOptions extends UnpickleLimits {
  /** Names the input in error messages, e.g. its file path. */
  source?: string;
}

/** Container keys tried in this order when a checkpoint is not a bare state_dict. */
export const STATE_DICT_CONTAINER_KEYS: readonly string[] = [
  'state_dict', // PyTorch Lightning, timm, mmcv
  'model_state_dict', // the PyTorch tutorials' training checkpoints
  'model', // facebookresearch (DeiT, LeViT), Swin
  'module',
  'net',
  'network',
  'params', // BasicSR
];

const MODULE_PREFIX = 'module.';

function pathText(path: readonly unknown[]): string {
  return path.map((part) => `[${JSON.stringify(typeof part === 'bigint' ? String(part) : part)}]`).join('') || '(root)';
}

/** A key path kept as a parent-linked list, so walking a deep tree costs O(1) per node rather than a copy of the path. */
interface PathLink {
  key: unknown;
  parent: PathLink | null;
  depth: number;
}

function pathOf(link: PathLink | null): unknown[] {
  const path: unknown[] = [];
  for (let at = link; at; at = at.parent) path.push(at.key);
  return path.reverse();
}

function child(parent: PathLink | null, key: unknown): PathLink {
  return { key, parent, depth: (parent?.depth ?? 0) + 1 };
}

/** Bytes per element of the array a storage of `dtype` decodes into. */
function decodedItemBytes(dtype: TensorDtype): number {
  return dtype === 'int64' || dtype === 'float64' ? 8 : dtype === 'int32' || dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' ? 4 : 1;
}

/**
 * Replaces every TorchTensorRef in the unpickled tree by a TensorEntry, decoding each storage once.
 * Every decoded storage and gathered (non-contiguous) view is counted against `maxBytes` before it is allocated.
 */
function materialise(contents: TorchFileContents, source: string, limits: UnpickleLimits): unknown {
  const decoded = new Map<string, TensorData>();
  const entries = new Map<TorchTensorRef, TensorEntry>();
  const views = new Map<string, TensorData>();
  const budget = new ByteBudget(maxBytesOf(limits), source);
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_PICKLE_DEPTH;

  const storageData = (ref: TorchTensorRef): TensorData => {
    const { key, storageClass, numel } = ref.storage;
    let data = decoded.get(key);
    if (!data) {
      const bytes = contents.storageBytes.get(key)!;
      const needed = numel * storageClass.itemSize;
      if (bytes.length < needed) {
        throw new Error(
          `${source}: ${contents.recordName(key)} has ${bytes.length} bytes, but its ${numel} ${storageClass.dtype} elements need ${needed}`,
        );
      }
      budget.take(numel * decodedItemBytes(storageClass.dtype), `decoding ${contents.recordName(key)}`);
      data = decodeElements(bytes, storageClass.dtype, numel, contents.byteOrder, contents.ownsStorageBytes);
      decoded.set(key, data);
    }
    return data;
  };
  const entryFor = (ref: TorchTensorRef, link: PathLink | null): TensorEntry => {
    let entry = entries.get(ref);
    if (entry) return entry;
    const offset = ref.storage.viewOffset + ref.storageOffset;
    const viewKey = `${ref.storage.key}|${offset}|${ref.shape.join(',')}|${ref.stride.join(',')}`;
    let data = views.get(viewKey);
    if (!data) {
      data = viewTensor(ref, storageData(ref), `${source}: tensor ${pathText(pathOf(link))}`, budget);
      views.set(viewKey, data);
    }
    entry = { dtype: ref.storage.storageClass.dtype, shape: ref.shape, data, storage: { key: ref.storage.key, offset } };
    entries.set(ref, entry);
    return entry;
  };

  if (contents.root instanceof TorchTensorRef) return entryFor(contents.root, null);
  // Iterative walk with a visited set: pickles may nest deeply or share (even cycle through) containers.
  // Linear in the number of containers and items; the depth cap also guards callers that recurse.
  const visited = new Set<unknown>();
  const pending: Array<{ node: unknown; link: PathLink | null }> = [{ node: contents.root, link: null }];
  while (pending.length > 0) {
    const { node, link } = pending.pop()!;
    if (typeof node !== 'object' || node === null || visited.has(node)) continue;
    visited.add(node);
    if ((link?.depth ?? 0) >= maxDepth) {
      throw new Error(`${source}: containers nest more than the maxDepth limit of ${maxDepth} deep (at ${pathText(pathOf(link).slice(0, 8))}…)`);
    }
    if (node instanceof Map) {
      for (const [key, value] of node) {
        if (value instanceof TorchTensorRef) node.set(key, entryFor(value, child(link, key)));
        else if (typeof value === 'object' && value !== null) pending.push({ node: value, link: child(link, key) });
      }
    } else if (Array.isArray(node)) {
      node.forEach((value, index) => {
        if (value instanceof TorchTensorRef) node[index] = entryFor(value, child(link, index));
        else if (typeof value === 'object' && value !== null) pending.push({ node: value, link: child(link, index) });
      });
    } else if (node instanceof PickleRecord) {
      if (node.state instanceof TorchTensorRef) node.state = entryFor(node.state, link);
      else pending.push({ node: node.state, link });
    }
  }
  return contents.root;
}

function describeStart(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Reads a torch.save file (zip format, PyTorch >= 1.6, or the legacy format) without executing anything. */
export function readTorchCheckpoint(bytes: Uint8Array, options: ReadTorchCheckpointOptions = {}): TorchCheckpoint {
  const source = options.source ?? 'checkpoint';
  let contents: TorchFileContents;
  if (isZip(bytes)) {
    contents = readTorchZip(bytes, source, options);
  } else if (isLegacyTorch(bytes)) {
    contents = readTorchLegacy(bytes, source, options);
  } else if (isGzip(bytes)) {
    throw new Error(`${source}: this is a gzip file; decompress it first (e.g. gunzip) to get the .pth`);
  } else {
    throw new Error(
      `${source}: not a torch.save file (starts with ${describeStart(bytes) || 'nothing'}; expected a zip archive "PK\\x03\\x04" or a legacy pickle "80 02 8a 0a")`,
    );
  }
  const root = materialise(contents, source, options);
  return { source, format: contents.format, byteOrder: contents.byteOrder, root };
}

/** Options of `extractStateDict`. */
export interface ExtractStateDictOptions {
  /**
   * Container keys to follow from the root (e.g. `['model']` or `'model_ema'`). By default the first of
   * STATE_DICT_CONTAINER_KEYS that holds a dict is followed, repeatedly, until a dict of tensors is found.
   */
  key?: string | readonly string[];
  /** Remove `module.` (nn.DataParallel / DistributedDataParallel) when every key starts with it. Default true. */
  stripModulePrefix?: boolean;
}

/** A state_dict found in a checkpoint, and the container keys that led to it. */
export interface StateDict {
  tensors: TensorMap;
  /** The container keys followed from the root; `[]` for a bare state_dict. */
  containerPath: string[];
  /** The prefix removed from every key (`module.`), or null. */
  removedPrefix: string | null;
  /** Entries that are not tensors (e.g. `_extra_state`, or non-string keys); they are left out of `tensors`. */
  skippedKeys: string[];
}

function hasTensor(dict: Map<unknown, unknown>): boolean {
  for (const value of dict.values()) if (isTensorEntry(value)) return true;
  return false;
}

/** Finds the state_dict in a checkpoint: a bare dict of tensors, or one inside `{'model': ...}` and the like. */
export function extractStateDict(checkpoint: TorchCheckpoint, options: ExtractStateDictOptions = {}): StateDict {
  const { source } = checkpoint;
  const containerPath: string[] = [];
  let node = checkpoint.root;
  const explicit = options.key === undefined ? undefined : typeof options.key === 'string' ? [options.key] : options.key;
  if (explicit) {
    for (const key of explicit) {
      if (!(node instanceof Map) || !node.has(key)) {
        throw new Error(`${source}: no key ${quote(key)} under ${pathText(containerPath)}`);
      }
      node = node.get(key);
      containerPath.push(key);
    }
  } else {
    // A pickle can make a container hold itself; stop at the first dict seen twice.
    const seen = new Set<unknown>();
    while (node instanceof Map && !hasTensor(node) && !seen.has(node)) {
      seen.add(node);
      const dict: Map<unknown, unknown> = node;
      const key = STATE_DICT_CONTAINER_KEYS.find((k) => dict.get(k) instanceof Map);
      if (key === undefined) break;
      node = dict.get(key);
      containerPath.push(key);
    }
  }
  if (!(node instanceof Map) || !hasTensor(node)) {
    const keys = node instanceof Map ? [...node.keys()].map((k) => String(k)).slice(0, 20) : [];
    throw new Error(
      `${source}: no state_dict at ${pathText(containerPath)}: expected a dict of tensors` +
        (node instanceof Map
          ? ` or one of the keys ${STATE_DICT_CONTAINER_KEYS.join(', ')}; found keys [${keys.join(', ')}]`
          : `, found ${node === null ? 'None' : Array.isArray(node) ? 'a list' : typeof node}`),
    );
  }
  const tensors: TensorMap = new Map();
  const skippedKeys: string[] = [];
  for (const [key, value] of node) {
    if (typeof key === 'string' && isTensorEntry(value)) tensors.set(key, value);
    else skippedKeys.push(String(key));
  }
  let removedPrefix: string | null = null;
  if ((options.stripModulePrefix ?? true) && [...tensors.keys()].every((key) => key.startsWith(MODULE_PREFIX))) {
    removedPrefix = MODULE_PREFIX;
    const stripped: TensorMap = new Map();
    for (const [key, value] of tensors) stripped.set(key.slice(MODULE_PREFIX.length), value);
    return { tensors: stripped, containerPath, removedPrefix, skippedKeys };
  }
  return { tensors, containerPath, removedPrefix, skippedKeys };
}

/** `extractStateDict(readTorchCheckpoint(bytes))`: the tensors of a checkpoint's state_dict. */
export function readTorchStateDict(
  bytes: Uint8Array,
  options: ReadTorchCheckpointOptions & ExtractStateDictOptions = {},
): StateDict {
  return extractStateDict(readTorchCheckpoint(bytes, options), options);
}
