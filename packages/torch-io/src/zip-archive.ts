/**
 * Reading members of a zip archive (torch.save checkpoints, numpy `.npz`) with every size bounded before
 * it is allocated and every member's CRC-32 verified, as Python's zipfile does (numpy refuses a member
 * whose CRC does not match). The central directory is parsed here because fflate exposes neither the
 * CRCs nor the member offsets; fflate still does the inflating.
 */
import { inflateSync } from 'fflate';
import { crc32 } from './crc32.js';
import { ByteBudget, maxBytesOf, type ReadLimits } from './read-limits.js';
import { quote } from './quote.js';

/** One member as the central directory describes it. */
export interface ZipEntryInfo {
  name: string;
  /** 0 stored, 8 deflated (the only two methods read). */
  compression: number;
  /** Bytes stored in the archive. */
  size: number;
  /** Bytes once inflated. */
  originalSize: number;
  crc32: number;
  /** Offset of the member's local header. */
  localHeaderOffset: number;
}

/** Options of `readZip`. */
export interface ReadZipOptions extends ReadLimits {
  /** Names the archive in error messages. */
  source?: string;
  /** Which members to read (default: all). Others are neither inflated nor checked. */
  wanted?: (name: string) => boolean;
  /** The most bytes a member may inflate to (e.g. the storage size a torch record backs). */
  maxEntryBytes?: (info: ZipEntryInfo) => number | undefined;
  /**
   * Accept a stored CRC-32 of 0 as "not computed": `torch.serialization.set_crc32_options(False)` writes
   * records that way (and torch.load does not check). Default false (numpy and Python's zipfile always check).
   */
  allowZeroCrc?: boolean;
}

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_BYTES = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const CENTRAL_BYTES = 46;
const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_BYTES = 30;
const ZIP64_EXTRA_ID = 0x0001;
/** Deflate never expands more than this; a larger claimed size is a corrupt (or hostile) header. */
const MAX_DEFLATE_RATIO = 1032;

/** Whether `bytes` start with a zip local file header (a `torch.save` zip checkpoint). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

class ZipReader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  fail(message: string): never {
    throw new Error(`${this.source}: corrupt or truncated zip archive (${message})`);
  }
  check(at: number, length: number, what: string): void {
    if (!Number.isSafeInteger(at) || at < 0 || at + length > this.bytes.length) {
      this.fail(`${what} at byte ${at} lies outside the ${this.bytes.length}-byte file`);
    }
  }
  u16(at: number): number {
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    return this.view.getUint32(at, true);
  }
  u64(at: number, what: string): number {
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} ${value} is too large`);
    return Number(value);
  }

  /** Where the central directory starts and how many entries it has (zip64 aware). */
  directory(): { offset: number; count: number } {
    const { bytes } = this;
    const lowest = Math.max(0, bytes.length - EOCD_BYTES - 0xffff);
    let eocd = -1;
    for (let at = bytes.length - EOCD_BYTES; at >= lowest; at--) {
      if (this.u32(at) === EOCD_SIGNATURE) {
        eocd = at;
        break;
      }
    }
    if (eocd < 0) this.fail('no end-of-central-directory record');
    let count = this.u16(eocd + 10);
    let offset = this.u32(eocd + 16);
    if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && this.u32(eocd - 20) === ZIP64_LOCATOR_SIGNATURE) {
      const record = this.u64(eocd - 12, 'zip64 record offset');
      this.check(record, 56, 'zip64 end-of-central-directory record');
      if (this.u32(record) !== ZIP64_EOCD_SIGNATURE) this.fail(`no zip64 end-of-central-directory record at byte ${record}`);
      count = this.u64(record + 32, 'entry count');
      offset = this.u64(record + 48, 'central directory offset');
    }
    if (count * CENTRAL_BYTES > bytes.length) this.fail(`${count} entries cannot fit in ${bytes.length} bytes`);
    return { offset, count };
  }

  entries(): ZipEntryInfo[] {
    const { offset, count } = this.directory();
    const out: ZipEntryInfo[] = [];
    let at = offset;
    for (let i = 0; i < count; i++) {
      this.check(at, CENTRAL_BYTES, `central directory entry ${i}`);
      if (this.u32(at) !== CENTRAL_SIGNATURE) this.fail(`central directory entry ${i} at byte ${at} has a bad signature`);
      const nameLength = this.u16(at + 28);
      const extraLength = this.u16(at + 30);
      const commentLength = this.u16(at + 32);
      this.check(at + CENTRAL_BYTES, nameLength + extraLength, `central directory entry ${i}'s name`);
      const name = new TextDecoder().decode(this.bytes.subarray(at + CENTRAL_BYTES, at + CENTRAL_BYTES + nameLength));
      let size = this.u32(at + 20);
      let originalSize = this.u32(at + 24);
      let localHeaderOffset = this.u32(at + 42);
      // zip64: the fields that overflowed (0xffffffff) follow in the 0x0001 extra field, in this order.
      if (size === 0xffffffff || originalSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
        let extra = at + CENTRAL_BYTES + nameLength;
        const extraEnd = extra + extraLength;
        while (extra + 4 <= extraEnd) {
          const id = this.u16(extra);
          const length = this.u16(extra + 2);
          let field = extra + 4;
          if (id === ZIP64_EXTRA_ID) {
            const next = (what: string): number => {
              if (field + 8 > extra + 4 + length) this.fail(`entry ${quote(name)}: zip64 extra field lacks the ${what}`);
              const value = this.u64(field, what);
              field += 8;
              return value;
            };
            if (originalSize === 0xffffffff) originalSize = next('original size');
            if (size === 0xffffffff) size = next('stored size');
            if (localHeaderOffset === 0xffffffff) localHeaderOffset = next('header offset');
          }
          extra += 4 + length;
        }
      }
      out.push({ name, compression: this.u16(at + 10), size, originalSize, crc32: this.u32(at + 16), localHeaderOffset });
      at += CENTRAL_BYTES + nameLength + extraLength + commentLength;
    }
    return out;
  }

  /** The stored bytes of a member (after its local header). */
  stored(info: ZipEntryInfo): Uint8Array {
    const at = info.localHeaderOffset;
    this.check(at, LOCAL_BYTES, `local header of ${quote(info.name)}`);
    if (this.u32(at) !== LOCAL_SIGNATURE) this.fail(`entry ${quote(info.name)} has no local header at byte ${at}`);
    const start = at + LOCAL_BYTES + this.u16(at + 26) + this.u16(at + 28);
    this.check(start, info.size, `data of ${quote(info.name)} (${info.size} bytes)`);
    return this.bytes.subarray(start, start + info.size);
  }
}

/** The members of a zip archive as its central directory lists them (nothing is inflated). */
export function listZipEntries(bytes: Uint8Array, options: { source?: string } = {}): ZipEntryInfo[] {
  return new ZipReader(bytes, options.source ?? 'zip archive').entries();
}

/**
 * Reads the wanted members of a zip archive into fresh arrays, refusing before allocation any member
 * that claims more than deflate can produce from its stored bytes, more than `maxEntryBytes`, or (all
 * together) more than `maxBytes`, and verifying each member's length and CRC-32 after inflating.
 */
export function readZipEntries(bytes: Uint8Array, options: ReadZipOptions = {}): Map<string, Uint8Array> {
  const source = options.source ?? 'zip archive';
  const reader: ZipReader = new ZipReader(bytes, source);
  const budget = new ByteBudget(maxBytesOf(options), source);
  const out = new Map<string, Uint8Array>();
  for (const info of reader.entries()) {
    if (options.wanted && !options.wanted(info.name)) continue;
    const member = `zip entry ${quote(info.name)}`;
    if (out.has(info.name)) reader.fail(`${member} appears twice`);
    if (info.compression !== 0 && info.compression !== 8) {
      throw new Error(`${source}: ${member} uses compression method ${info.compression}; only stored (0) and deflate (8) are supported`);
    }
    const plausible =
      info.compression === 0 ? info.originalSize === info.size : info.originalSize <= info.size * MAX_DEFLATE_RATIO + 1024;
    if (!plausible) reader.fail(`${member} claims ${info.originalSize} bytes from ${info.size} stored bytes`);
    const entryLimit = options.maxEntryBytes?.(info);
    if (entryLimit !== undefined && info.originalSize > entryLimit) {
      throw new Error(`${source}: ${member} inflates to ${info.originalSize} bytes, but what it stores needs only ${entryLimit}`);
    }
    budget.take(info.originalSize, member);
    const stored = reader.stored(info);
    let data: Uint8Array;
    if (info.compression === 0) {
      data = stored.slice();
    } else {
      try {
        // Inflating into a buffer of the declared size: a longer stream cannot grow it (the CRC then fails).
        data = inflateSync(stored, { out: new Uint8Array(info.originalSize) });
      } catch (error) {
        reader.fail(`${member}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (data.length !== info.originalSize) {
      throw new Error(`${source}: ${member} is truncated: ${data.length} of ${info.originalSize} bytes`);
    }
    const actual = crc32(data);
    if (actual !== info.crc32 && !(options.allowZeroCrc && info.crc32 === 0)) {
      throw new Error(
        `${source}: ${member} fails its CRC-32 check (stored ${hex(info.crc32)}, computed ${hex(actual)}): the file is corrupt`,
      );
    }
    out.set(info.name, data);
  }
  return out;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
