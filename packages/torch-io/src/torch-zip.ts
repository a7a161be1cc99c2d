/**
 * The zip format of torch.save (PyTorch >= 1.6): `<top>/data.pkl` (the object pickle), `<top>/data/<key>`
 * (one record per storage, raw bytes), optionally `<top>/byteorder` ("little" or "big"; absent before
 * PyTorch 2.1, meaning little). `<top>` is any single folder name (torch uses the file's stem).
 */
import { unpickle, type UnpickleLimits } from './torch-pickle.js';
import type { ByteOrder } from './byte-order.js';
import type { TorchFileContents } from './torch-storage.js';
import { readZipEntries } from './zip-archive.js';
import { ByteBudget, maxBytesOf } from './read-limits.js';
import { quote } from './quote.js';

export { isZip } from './zip-archive.js';

function parseByteOrder(raw: Uint8Array | undefined, name: string, source: string): ByteOrder {
  if (!raw) return 'little';
  const text = new TextDecoder().decode(raw).trim();
  if (text !== 'little' && text !== 'big') {
    throw new Error(`${source}: ${name} says ${quote(text.slice(0, 20))}, expected "little" or "big"`);
  }
  return text;
}

export function readTorchZip(bytes: Uint8Array, source: string, limits: UnpickleLimits = {}): TorchFileContents {
  const maxBytes = maxBytesOf(limits);
  const head = readZipEntries(bytes, {
    source,
    maxBytes,
    allowZeroCrc: true,
    // A top folder with control characters is not torch's (it uses the file's stem), and would break error lines.
    wanted: (name) => /^[^/]+\/(data\.pkl|byteorder)$/.test(name) && !/\p{Cc}/u.test(name),
  });
  const pickles = [...head.keys()].filter((name) => name.endsWith('/data.pkl'));
  if (pickles.length !== 1) {
    throw new Error(
      pickles.length === 0
        ? `${source}: zip archive has no <folder>/data.pkl, so it is not a torch.save checkpoint`
        : `${source}: zip archive has several data.pkl records (${pickles.join(', ')})`,
    );
  }
  const pickleName = pickles[0]!;
  const top = pickleName.slice(0, -'/data.pkl'.length);
  const byteOrder = parseByteOrder(head.get(`${top}/byteorder`), `${top}/byteorder`, source);
  const { value, storages } = unpickle(head.get(pickleName)!, { ...limits, source: `${source}:${pickleName}` });

  const recordName = (key: string): string => `${top}/data/${key}`;
  // Each record may hold no more than the storage it backs, and all of them no more than maxBytes.
  const recordBytes = new Map([...storages.values()].map((s) => [recordName(s.key), s.numel * s.storageClass.itemSize]));
  const budget = new ByteBudget(maxBytes, source);
  for (const [name, size] of recordBytes) budget.take(size, `storage record ${quote(name)}`);
  const records = readZipEntries(bytes, {
    source,
    maxBytes,
    allowZeroCrc: true,
    wanted: (name) => recordBytes.has(name),
    maxEntryBytes: (info) => recordBytes.get(info.name),
  });
  const storageBytes = new Map<string, Uint8Array>();
  for (const key of storages.keys()) {
    const record = records.get(recordName(key));
    if (!record) throw new Error(`${source}: the pickle references storage record ${quote(recordName(key))}, which is missing`);
    storageBytes.set(key, record);
  }
  return { format: 'zip', root: value, storages, storageBytes, byteOrder, ownsStorageBytes: true, recordName };
}
