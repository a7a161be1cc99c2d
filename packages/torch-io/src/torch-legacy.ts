/**
 * The legacy (non-zip) torch.save format, the default before PyTorch 1.6: five pickles back to back
 * (magic number, protocol version 1001, sys info, the object with storage persistent ids, the list of
 * storage keys), then each listed storage as an int64 little-endian element count and its raw bytes.
 * PyTorch writes and reads these storages little-endian whatever the sys info says, and so do we.
 */
import { unpickle, type UnpickleLimits } from './torch-pickle.js';
import type { TorchFileContents } from './torch-storage.js';
import { quote } from './quote.js';

const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

/** Legacy files start with a protocol-2 pickle of the magic number: PROTO 2, LONG1 10 bytes. */
export function isLegacyTorch(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a && bytes[3] === 0x0a;
}

export function readTorchLegacy(bytes: Uint8Array, source: string, limits: UnpickleLimits = {}): TorchFileContents {
  const next = (start: number, what: string) => unpickle(bytes, { ...limits, source: `${source} (${what} pickle)`, start });
  const magic = next(0, 'magic number');
  if (magic.value !== MAGIC_NUMBER) {
    throw new Error(`${source}: bad magic number, so this is not a legacy torch.save file`);
  }
  const protocol = next(magic.end, 'protocol version');
  if (protocol.value !== PROTOCOL_VERSION) {
    throw new Error(`${source}: legacy protocol version ${String(protocol.value)}, expected ${PROTOCOL_VERSION}`);
  }
  const sysInfo = next(protocol.end, 'sys info');
  if (!(sysInfo.value instanceof Map)) throw new Error(`${source}: the sys info pickle is not a dict`);
  const object = next(sysInfo.end, 'object');
  const keyList = next(object.end, 'storage keys');
  const keys = keyList.value;
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) {
    throw new Error(`${source}: the storage keys pickle is not a list of strings`);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const storageBytes = new Map<string, Uint8Array>();
  let pos = keyList.end;
  for (const key of keys as string[]) {
    const ref = object.storages.get(key);
    if (!ref) throw new Error(`${source}: storage ${quote(key)} is listed but no tensor references it`);
    if (pos + 8 > bytes.length) {
      throw new Error(`${source}: truncated: the element count of storage ${quote(key)} is missing at byte ${pos}`);
    }
    const count = view.getBigInt64(pos, true);
    if (count !== BigInt(ref.numel)) {
      throw new Error(`${source}: storage ${quote(key)} holds ${count} elements at byte ${pos}, the pickle says ${ref.numel}`);
    }
    pos += 8;
    const size = ref.numel * ref.storageClass.itemSize;
    if (pos + size > bytes.length) {
      throw new Error(
        `${source}: truncated: storage ${quote(key)} needs ${size} bytes at byte ${pos}, only ${bytes.length - pos} remain`,
      );
    }
    storageBytes.set(key, bytes.subarray(pos, pos + size));
    pos += size;
  }
  for (const key of object.storages.keys()) {
    if (!storageBytes.has(key)) throw new Error(`${source}: storage ${quote(key)} is referenced but not stored`);
  }
  return {
    format: 'legacy',
    root: object.value,
    storages: object.storages,
    storageBytes,
    byteOrder: 'little',
    ownsStorageBytes: false,
    recordName: (key) => `legacy storage ${quote(key)}`,
  };
}
