import { atomicWriteFile } from '@levit-unet/safe-fs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { exportOnnx, type ExportOnnxOptions } from '../export-onnx.js';

/** `exportOnnx` written atomically to `path` (a crash leaves the old file or the new one). Returns the byte count. */
export async function exportOnnxFile(model: LayersModel, path: string, options?: ExportOnnxOptions): Promise<number> {
  const bytes = exportOnnx(model, options);
  await atomicWriteFile(path, bytes);
  return bytes.length;
}
