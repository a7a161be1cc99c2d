import { initializers } from '@tensorflow/tfjs-layers';
import { nextInitSeed } from './init-seed.js';

/**
 * PyTorch's default init for `nn.Linear` / `nn.Conv2d` weights, kaiming_uniform(a=√5), is
 * U(−1/√fan_in, 1/√fan_in): variance scaling with scale 1/3 (limit √(3·scale/fan_in)). The seed defaults
 * to the `withInitSeed` scope's next.
 */
export function torchDefaultKernelInit(seed = nextInitSeed()) {
  return initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed });
}

/** PyTorch's default bias init, U(−1/√fan_in, 1/√fan_in). */
export function torchDefaultBiasInit(fanIn: number, seed = nextInitSeed()) {
  const bound = 1 / Math.sqrt(fanIn);
  return initializers.randomUniform({ minval: -bound, maxval: bound, seed });
}
