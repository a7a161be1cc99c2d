import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SegmentationEngine } from './segmentation-engine.js';

/** Options of `createTfjsEngine`. */
export interface TfjsEngineOptions {
  /** Dispose the model with the engine (default false: the caller keeps it). */
  ownsModel?: boolean;
}

/**
 * A tfjs `LayersModel` with one NHWC input (batch, h, w, 1) and NHWC logits (batch, h, w, C) as a
 * `SegmentationEngine`. Each call runs the n images it is given as one batch; no tensor outlives a call.
 */
export class TfjsEngine implements SegmentationEngine {
  readonly name = 'tfjs';
  readonly inputSize: readonly [number, number];
  readonly numClasses: number;
  private disposed = false;

  constructor(
    private readonly model: LayersModel,
    private readonly options: TfjsEngineOptions = {},
  ) {
    const input = model.inputs[0]?.shape;
    const output = model.outputs[0]?.shape;
    if (model.inputs.length !== 1 || !input || input.length !== 4 || input[3] !== 1 || !input[1] || !input[2]) {
      throw new Error(`TfjsEngine: expected a model with one input of shape [null, h, w, 1], got [${String(input)}]`);
    }
    if (!output || output.length !== 4 || output[1] !== input[1] || output[2] !== input[2] || !output[3]) {
      throw new Error(`TfjsEngine: expected logits of shape [null, ${input[1]}, ${input[2]}, C], got [${String(output)}]`);
    }
    this.inputSize = [input[1], input[2]];
    this.numClasses = output[3];
  }

  async predictLogits(images: Float32Array, n: number): Promise<Float32Array> {
    if (this.disposed) throw new Error('TfjsEngine: predictLogits after dispose');
    const [h, w] = this.inputSize;
    if (!Number.isInteger(n) || n < 1 || images.length !== n * h * w) {
      throw new Error(`TfjsEngine.predictLogits: expected ${n} images of ${h}x${w} (${n * h * w} floats), got ${images.length} floats`);
    }
    const logits = tf.tidy(() => this.model.predict(tf.tensor4d(images, [n, h, w, 1])) as tf.Tensor);
    try {
      return (await logits.data()) as Float32Array;
    } finally {
      logits.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.options.ownsModel) this.model.dispose();
  }
}

/** A `TfjsEngine` for `model` (see there). */
export function createTfjsEngine(model: LayersModel, options: TfjsEngineOptions = {}): TfjsEngine {
  return new TfjsEngine(model, options);
}
