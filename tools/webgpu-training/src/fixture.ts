/**
 * What the browser page and the Node reference share: the tiny model, the batches, the recipe and the
 * byte layout of a weight list. Browser-safe (the page bundles it).
 */
import * as tf from '@tensorflow/tfjs';
import { ConvEncoder, createUNet } from '@levit-unet/unet-decoder';
import type { TrainerBatch } from '@levit-unet/onnx';

export const BATCH = 2;
export const SIZE = 16;
export const NUM_CLASSES = 2;
export const STEPS = 3;
export const LR = 1e-3;
export const OPTIMIZER = { name: 'adam', weightDecay: 1e-4 } as const;

/** A UNet of two ConvEncoder stages and one decoder block at 16×16: small enough for SwiftShader. */
export function createTinyModel(): tf.LayersModel {
  return createUNet({ encoder: new ConvEncoder({ channels: [4, 8] }), inputShape: [SIZE, SIZE, 1], numClasses: NUM_CLASSES, decoderChannels: [4] });
}

/** Batch `step` (0-based): smooth images, labels a disc whose centre and radius move with the step and sample. */
export function makeBatch(step: number): TrainerBatch {
  const hw = SIZE * SIZE;
  const images = new Float32Array(BATCH * hw);
  const labels = new Int32Array(BATCH * hw);
  for (let n = 0; n < BATCH; n++) {
    const k = step * BATCH + n;
    const cy = 5 + ((3 * k) % 7);
    const cx = 4 + ((5 * k) % 8);
    const r = 3 + (k % 3);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const i = n * hw + y * SIZE + x;
        const inside = (y - cy) ** 2 + (x - cx) ** 2 <= r * r;
        labels[i] = inside ? 1 : 0;
        images[i] = (inside ? 0.8 : 0.1) + 0.1 * Math.sin(0.7 * x + 1.3 * y + k);
      }
    }
  }
  return { images, labels, labelShape: [BATCH, SIZE, SIZE] };
}

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  trainable: boolean;
  /** Offset in elements (4 bytes each) into the packed buffer. */
  offset: number;
  length: number;
}

export interface PackedWeights {
  manifest: WeightEntry[];
  /** float32 and int32 values back to back, 4 bytes each, little-endian (as the typed arrays hold them). */
  data: Uint8Array;
}

/** Every weight of `model` (trainable and not, in `model.weights` order) as one buffer and a manifest. */
export function packWeights(model: tf.LayersModel): PackedWeights {
  const trainable = new Set(model.trainableWeights.map((w) => w.originalName));
  const manifest: WeightEntry[] = [];
  const arrays: Array<Float32Array | Int32Array> = [];
  let offset = 0;
  for (const w of model.weights) {
    const values = w.read().dataSync() as Float32Array | Int32Array;
    const dtype = w.dtype === 'int32' ? 'int32' : 'float32';
    if (w.dtype !== dtype) throw new Error(`weight ${w.originalName}: dtype ${w.dtype} is not packed`);
    manifest.push({ name: w.originalName, shape: w.shape.map((d) => d!), dtype, trainable: trainable.has(w.originalName), offset, length: values.length });
    arrays.push(values);
    offset += values.length;
  }
  const data = new Uint8Array(offset * 4);
  for (let i = 0; i < arrays.length; i++) data.set(new Uint8Array(arrays[i]!.buffer, arrays[i]!.byteOffset, arrays[i]!.byteLength), manifest[i]!.offset * 4);
  return { manifest, data };
}

/** The values of one entry of a packed buffer. */
export function unpackEntry(packed: PackedWeights, entry: WeightEntry): Float32Array | Int32Array {
  const bytes = packed.data.slice(entry.offset * 4, (entry.offset + entry.length) * 4);
  return entry.dtype === 'int32' ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer);
}

/** Writes a packed weight list into `model` (same architecture, so the same `model.weights` order). */
export function loadWeights(model: tf.LayersModel, packed: PackedWeights): void {
  const weights = model.weights;
  if (weights.length !== packed.manifest.length) throw new Error(`the model has ${weights.length} weights, the packed list ${packed.manifest.length}`);
  tf.tidy(() => {
    packed.manifest.forEach((entry, i) => {
      const w = weights[i]!;
      // Layer names carry per-process counters, so weights match by position, shape and dtype.
      if (w.shape.join(',') !== entry.shape.join(',') || w.dtype !== entry.dtype) {
        throw new Error(`weight ${i}: the model has ${w.originalName} [${w.shape}] ${w.dtype}, the packed list ${entry.name} [${entry.shape}] ${entry.dtype}`);
      }
      w.write(tf.tensor(unpackEntry(packed, entry), entry.shape, entry.dtype));
    });
  });
}
