/**
 * A problem with input data: names the file (or array) and says what is wrong with it, so a corrupt or
 * mismatched file surfaces as one readable line instead of an exception from deep inside a decoder.
 */
export class DataError extends Error {
  override readonly name = 'DataError';

  constructor(
    /** The file, archive member or array the problem is in (`undefined` when the caller gave no name). */
    readonly source: string | undefined,
    /** What is wrong, without the file name. */
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(source === undefined ? problem : `${source}: ${problem}`, options);
  }
}

/** Runs `decode` and rethrows anything that is not already a `DataError` as one naming `source`. */
export function decodeOrThrow<T>(source: string | undefined, what: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof DataError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new DataError(source, `${what}: ${detail}`, { cause: error });
  }
}
