import { PNG } from 'pngjs';
import { atomicWriteFile } from '@levit-unet/safe-fs';
import type { RgbaImage } from '@levit-unet/raster';


/** PNG bytes of an RGBA image (pngjs). */
export function encodePng(image: RgbaImage): Uint8Array {
  if (image.data.length !== image.width * image.height * 4) {
    throw new Error(`encodePng: expected ${image.width}x${image.height}x4 = ${image.width * image.height * 4} bytes, got ${image.data.length}`);
  }
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png);
}

/** Writes an RGBA image as PNG, atomically. */
export async function writePng(path: string, image: RgbaImage): Promise<void> {
  await atomicWriteFile(path, encodePng(image));
}
