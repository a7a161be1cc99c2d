// The one place this package encodes PNG; it moves to `@levit-unet/datasets/node` later (then re-export it here).
import { atomicWriteFile } from '@levit-unet/safe-fs';
import { PNG } from 'pngjs';
import type { RgbaImage } from '../overlay.js';

export function encodePng(image: RgbaImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png);
}

/** Writes an RGBA image as PNG, atomically. */
export async function writePng(path: string, image: RgbaImage): Promise<void> {
  await atomicWriteFile(path, encodePng(image));
}
