import { readFile } from 'node:fs/promises';
import { DataError } from '../../data-error.js';

/** Reads a whole file; a missing or unreadable file is a `DataError` naming it. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'file not found' : `unreadable (${code ?? String(error)})`;
    throw new DataError(path, problem, { cause: error });
  }
}
