import type { OnnxGraphBuilder } from '../onnx-graph-builder.js';
import type { OnnxNode } from '../onnx-proto.js';

/**
 * What a gradient rule emits its nodes into: the graph being built (every value has a static shape) and
 * helpers shared by the rules.
 */
export interface GradientContext {
  readonly graph: OnnxGraphBuilder;
  /** Node name prefix for what the rule emits (`<forward node>/grad`). */
  readonly name: string;
  /** Σ of `grad` over the axes that broadcasting added to reach it from `shape` (numpy rules), reshaped to `shape`. */
  unbroadcast(grad: string, shape: readonly number[]): string;
  /** A float32 tensor of zeros of a static shape (ConstantOfShape). */
  zeros(shape: readonly number[]): string;
}

/**
 * The vector-Jacobian product of one ONNX op type: given the gradients of the node's outputs (null for
 * an output nothing depends on), emit the gradients of the inputs that `needs` marks (null elsewhere).
 * Written once per op type and shared by every converter (as onnxruntime's gradient builders and tfjs's
 * `*_grad.ts` files).
 */
export interface GradientRule {
  readonly opType: string;
  vjp(ctx: GradientContext, node: OnnxNode, dOutputs: ReadonlyArray<string | null>, needs: readonly boolean[]): Array<string | null>;
}
