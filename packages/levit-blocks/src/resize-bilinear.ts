import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from './module-layer.js';
import { singleInput, type Kwargs } from './layer-utils.js';

export interface LeViTResizeBilinearArgs extends LayerArgs {
  /** Output [height, width]; or give `scale`. */
  size?: [number, number];
  /** Integer scale factor (PyTorch `UpsamplingBilinear2d(scale_factor=)`). */
  scale?: number;
  /** true = PyTorch align_corners=True (`UpsamplingBilinear2d` always is): src = dst·(in − 1)/(out − 1). */
  alignCorners?: boolean;
}

/** Bilinear resize of NHWC maps by a scale factor or to a fixed size. */
export class LeViTResizeBilinear extends layers.Layer {
  static readonly className = 'LeViTResizeBilinear';
  readonly size: [number, number] | null;
  readonly scale: number | null;
  readonly alignCorners: boolean;

  constructor(args: LeViTResizeBilinearArgs) {
    super(args);
    if ((args.size == null) === (args.scale == null)) {
      throw new Error(`ResizeBilinear ${args.name ?? ''}: give exactly one of size or scale`);
    }
    this.size = args.size ?? null;
    this.scale = args.scale ?? null;
    this.alignCorners = args.alignCorners ?? true;
  }

  private outputSize(height: number, width: number): [number, number] {
    return this.size ?? [height * (this.scale as number), width * (this.scale as number)];
  }

  override computeOutputShape(inputShape: Array<number | null>): Array<number | null> {
    const [b, h, w, c] = inputShape;
    if (this.size) return [b, this.size[0], this.size[1], c];
    const s = this.scale as number;
    return [b, h == null ? null : h * s, w == null ? null : w * s, c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const x = singleInput(inputs, this.name) as tf.Tensor4D;
    return tf.image.resizeBilinear(x, this.outputSize(x.shape[1], x.shape[2]), this.alignCorners);
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size, scale: this.scale, alignCorners: this.alignCorners };
  }
}
serialization.registerClass(LeViTResizeBilinear);
