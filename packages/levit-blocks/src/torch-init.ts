import { initializers } from '@tensorflow/tfjs-layers';

/**
 * PyTorch's default init for `nn.Linear` / `nn.Conv2d` weights, kaiming_uniform(a=√5), is
 * U(−1/√fan_in, 1/√fan_in): variance scaling with scale 1/3 (limit √(3·scale/fan_in)).
 */
export function torchDefaultKernelInit(seed?: number) {
  return initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed });
}

/** PyTorch's default bias init, U(−1/√fan_in, 1/√fan_in). */
export function torchDefaultBiasInit(fanIn: number, seed?: number) {
  const bound = 1 / Math.sqrt(fanIn);
  return initializers.randomUniform({ minval: -bound, maxval: bound, seed });
}
