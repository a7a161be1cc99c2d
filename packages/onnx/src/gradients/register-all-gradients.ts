import { addGrad } from './add-grad.js';
import { concatGrad } from './concat-grad.js';
import { convGrad } from './conv-grad.js';
import { divGrad } from './div-grad.js';
import { expGrad } from './exp-grad.js';
import { gatherGrad } from './gather-grad.js';
import type { GradientRule } from './gradient-rule.js';
import { hardswishGrad } from './hardswish-grad.js';
import { identityGrad } from './identity-grad.js';
import { logGrad } from './log-grad.js';
import { logSoftmaxGrad } from './log-softmax-grad.js';
import { matmulGrad } from './matmul-grad.js';
import { mulGrad } from './mul-grad.js';
import { negGrad } from './neg-grad.js';
import { reciprocalGrad } from './reciprocal-grad.js';
import { reduceMeanGrad, reduceSumGrad, reduceSumSquareGrad } from './reduce-grad.js';
import { reluGrad } from './relu-grad.js';
import { flattenGrad, reshapeGrad, squeezeGrad, unsqueezeGrad } from './reshape-grad.js';
import { softmaxGrad } from './softmax-grad.js';
import { splitGrad } from './split-grad.js';
import { sqrtGrad } from './sqrt-grad.js';
import { subGrad } from './sub-grad.js';
import { transposeGrad } from './transpose-grad.js';

/** Every gradient rule, by ONNX op type: the one list `buildGradients` reads. */
export const GRADIENT_RULES: ReadonlyMap<string, GradientRule> = new Map(
  [
    addGrad,
    subGrad,
    mulGrad,
    divGrad,
    negGrad,
    identityGrad,
    reluGrad,
    hardswishGrad,
    sqrtGrad,
    reciprocalGrad,
    expGrad,
    logGrad,
    softmaxGrad,
    logSoftmaxGrad,
    matmulGrad,
    convGrad,
    transposeGrad,
    reshapeGrad,
    flattenGrad,
    squeezeGrad,
    unsqueezeGrad,
    splitGrad,
    concatGrad,
    gatherGrad,
    reduceSumGrad,
    reduceMeanGrad,
    reduceSumSquareGrad,
  ].map((rule) => [rule.opType, rule]),
);
