import { layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { BatchNorm, type BatchNormOptions, type WeightAdder } from './batch-norm.js';
import { InferenceCache, type TensorRecord } from './inference-cache.js';

/** The constructor arguments of a tfjs `Layer` (name, trainable, ...), taken from its public class. */
export type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;

/**
 * A tfjs layer that stands for one PyTorch module. Its weights are named after the module's
 * state_dict suffixes (`qkv.c.weight`, `bn.running_var`, ...), so `${layer.name}.${suffix}` is the
 * PyTorch key when the layer is named after the module (`block_1.0.m`): import and export need no
 * per-layer tables. Tensors are stored in tfjs layout (conv HWIO, linear [in, out]).
 */
export abstract class ModuleLayer extends layers.Layer {
  /** The weights in creation order, which each layer keeps equal to the PyTorch module's state_dict order. */
  readonly torchWeights: LayerVariable[] = [];

  protected readonly addTorchWeight: WeightAdder = (name, shape, initializer, trainable, dtype = 'float32') => {
    const weight = this.addWeight(name, shape, dtype, initializer, undefined, trainable);
    this.torchWeights.push(weight);
    return weight;
  };

  /** The caches of tensors derived from the weights for inference, freed with the weights. */
  private readonly inferenceCaches: Array<InferenceCache<TensorRecord>> = [];

  /** Adds a BatchNorm's γ, β and running statistics as this layer's weights named `${prefix}.weight` etc., as PyTorch names them. */
  protected addBatchNorm(prefix: string, channels: number, options?: BatchNormOptions): BatchNorm {
    const add: WeightAdder = (name, shape, initializer, trainable, dtype) =>
      this.addTorchWeight(`${prefix}.${name}`, shape, initializer, trainable, dtype);
    const bn = new BatchNorm(add, channels, options);
    this.inferenceCaches.push(bn.inferenceCache);
    return bn;
  }

  /** A cache for tensors this layer derives from its weights in inference, freed with the weights. */
  protected addInferenceCache<T extends TensorRecord>(): InferenceCache<T> {
    const cache = new InferenceCache<T>();
    this.inferenceCaches.push(cache);
    return cache;
  }

  /** tfjs frees the weights when the layer's last owner disposes it (Layer.dispose, LayersModel.dispose): the caches go too. */
  protected override disposeWeights(): number {
    for (const cache of this.inferenceCaches) cache.dispose();
    return super.disposeWeights();
  }

  /** The PyTorch state_dict suffix of one of this layer's weights. */
  static torchSuffix(layer: layers.Layer, weight: LayerVariable): string {
    const prefix = `${layer.name}/`;
    return weight.originalName.startsWith(prefix) ? weight.originalName.slice(prefix.length) : weight.originalName;
  }
}
