import type { OnnxNode } from '../onnx-proto.js';
import type { GradientContext } from './gradient-rule.js';

/**
 * A group of forward nodes differentiated as one function with a closed-form gradient (a training
 * BatchNorm: batch statistics, normalisation, affine), instead of node by node: fewer passes over
 * large tensors than the chain of elementwise rules. Its interior values must not reach the loss
 * other than through `output` (buildGradients checks).
 */
export interface CompositeGradient {
  /** What the group computes. */
  output: string;
  /** The group's forward nodes (their own rules are not used). */
  nodes: ReadonlySet<OnnxNode>;
  /** The values the group's gradient is taken with respect to. */
  inputs: readonly string[];
  vjp(ctx: GradientContext, dOutput: string, needs: readonly boolean[]): Array<string | null>;
}
