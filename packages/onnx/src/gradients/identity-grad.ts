import type { GradientRule } from './gradient-rule.js';

/** y = x. */
export const identityGrad: GradientRule = {
  opType: 'Identity',
  vjp(_ctx, _node, [dy]) {
    return [dy!];
  },
};
