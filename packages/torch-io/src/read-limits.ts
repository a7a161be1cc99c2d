/**
 * The memory ceiling every reader applies before it allocates: a small corrupt or hostile file must not
 * be able to claim gigabytes. Sizes are checked against what the container itself declares and against
 * `maxBytes`, and refused before any allocation.
 */

/** 4 GiB: above the largest checkpoint or volume this project reads (LeViT-UNet-384 is ~200 MB, a CT volume ~1 GB as float32). */
export const DEFAULT_MAX_BYTES = 4 * 2 ** 30;

/** Size limits of the readers, so that a hostile or corrupt file cannot allocate without bound. */
export interface ReadLimits {
  /**
   * The most bytes a reader may allocate for one input (inflated entries, decoded tensors, gathered
   * views together). Default DEFAULT_MAX_BYTES (4 GiB); raise it for genuinely larger files.
   */
  maxBytes?: number;
}

function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${n} bytes`;
}

/** `options.maxBytes`, validated (a positive integer), or the default. */
export function maxBytesOf(limits: ReadLimits | undefined): number {
  const maxBytes = limits?.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new Error(`maxBytes must be a positive integer number of bytes, got ${String(maxBytes)}`);
  }
  return maxBytes;
}

/** Throws the one-line "beyond maxBytes" error for `source` when `bytes` exceeds `maxBytes`. */
export function assertWithinMaxBytes(bytes: number, maxBytes: number, source: string, what: string): void {
  if (!(bytes <= maxBytes)) {
    throw new Error(
      `${source}: ${what} needs ${formatBytes(bytes)}, more than the maxBytes limit of ${formatBytes(maxBytes)} ` +
        `(a corrupt size field, or raise the maxBytes option if the file is genuine)`,
    );
  }
}

/** Counts allocations against one input's maxBytes. */
export class ByteBudget {
  used = 0;
  constructor(
    readonly maxBytes: number,
    readonly source: string,
  ) {}
  /** Reserves `bytes` for `what`, or throws before the caller allocates. */
  take(bytes: number, what: string): void {
    if (this.used === 0) assertWithinMaxBytes(bytes, this.maxBytes, this.source, what);
    else assertWithinMaxBytes(this.used + bytes, this.maxBytes, this.source, `${what} (${bytes} bytes, after ${this.used} already read)`);
    this.used += bytes;
  }
}
