/**
 * The zip format of torch.save (PyTorch >= 1.6): `<top>/data.pkl` (the object pickle), `<top>/data/<key>`
 * (one record per storage, raw bytes), optionally `<top>/byteorder` ("little" or "big"; absent before
 * PyTorch 2.1, meaning little). `<top>` is any single folder name (torch uses the file's stem).
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { unpickle } from './torch-pickle.js';
import type { ByteOrder } from './byte-order.js';
import type { TorchFileContents } from './torch-storage.js';

/** Smallest central-directory record: bounds the entry count of a corrupt archive before fflate loops over it. */
const CENTRAL_HEADER_BYTES = 46;
/** Deflate never expands more than this; a larger claimed size is a corrupt (or hostile) header. */
const MAX_DEFLATE_RATIO = 1032;

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function extract(bytes: Uint8Array, source: string, wanted: (name: string) => boolean): Map<string, Uint8Array> {
  const infos = new Map<string, UnzipFileInfo>();
  let seen = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (info) => {
        if (++seen > bytes.length / CENTRAL_HEADER_BYTES) throw new Error('more entries than the archive can hold');
        if (!wanted(info.name)) return false;
        const plausible =
          info.size <= bytes.length &&
          (info.compression === 0 ? info.originalSize === info.size : info.originalSize <= info.size * MAX_DEFLATE_RATIO + 1024);
        if (!plausible) {
          throw new Error(`entry "${info.name}" claims ${info.originalSize} bytes from ${info.size} stored bytes`);
        }
        infos.set(info.name, info);
        return true;
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${source}: corrupt or truncated zip archive (${message})`);
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(files)) {
    const expected = infos.get(name)!.originalSize;
    if (data.length !== expected) {
      throw new Error(`${source}: zip entry "${name}" is truncated: ${data.length} of ${expected} bytes`);
    }
    out.set(name, data);
  }
  return out;
}

function parseByteOrder(raw: Uint8Array | undefined, name: string, source: string): ByteOrder {
  if (!raw) return 'little';
  const text = new TextDecoder().decode(raw).trim();
  if (text !== 'little' && text !== 'big') {
    throw new Error(`${source}: ${name} says "${text.slice(0, 20)}", expected "little" or "big"`);
  }
  return text;
}

export function readTorchZip(bytes: Uint8Array, source: string): TorchFileContents {
  const head = extract(bytes, source, (name) => /^[^/]+\/(data\.pkl|byteorder)$/.test(name));
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
  const { value, storages } = unpickle(head.get(pickleName)!, { source: `${source}:${pickleName}` });

  const recordName = (key: string): string => `${top}/data/${key}`;
  const wanted = new Set([...storages.keys()].map(recordName));
  const records = extract(bytes, source, (name) => wanted.has(name));
  const storageBytes = new Map<string, Uint8Array>();
  for (const key of storages.keys()) {
    const record = records.get(recordName(key));
    if (!record) throw new Error(`${source}: the pickle references storage record "${recordName(key)}", which is missing`);
    storageBytes.set(key, record);
  }
  return { format: 'zip', root: value, storages, storageBytes, byteOrder, ownsStorageBytes: true, recordName };
}
