import type { OnnxGraphBuilder } from '../onnx-graph-builder.js';
import type { OnnxNode } from '../onnx-proto.js';

/** Where a rule has more than one formulation, which one to emit (chosen by measurement: see the README). */
export interface GradientFormulations {
  /**
   * Conv filter gradient: 'matmul' — per kernel tap a strided Slice of x and of dy feeding a batched MatMul
   * over the tap's output pixels; 'conv' — one Conv over batch↔channel-transposed tensors.
   */
  convFilter: 'matmul' | 'conv';
  /** Conv input gradient at stride 1: 'conv' — a Conv of dy with the flipped, transposed filter; 'convtranspose'. Strided convs always use ConvTranspose. */
  convInput: 'conv' | 'convtranspose';
  /** Training BatchNorm: 'fused' — its closed-form gradient (composite); 'elementwise' — the rules of its ops, node by node. */
  batchNorm: 'fused' | 'elementwise';
}

/** The formulations a training graph uses unless `TrainingGraphOptions.formulations` says otherwise. */
export const DEFAULT_GRADIENT_FORMULATIONS: GradientFormulations = { convFilter: 'matmul', convInput: 'conv', batchNorm: 'fused' };

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
  readonly formulations: GradientFormulations;
}

/**
 * The vector-Jacobian product of one ONNX op type: given the gradients of the node's outputs (null for
 * an output nothing depends on), emit the gradients of the inputs that `needs` marks (null elsewhere).
 * Written once per op type and shared by every converter (as onnxruntime's gradient builders and tfjs's
 * `*_grad.ts` files).
 */
export interface GradientRule {
  readonly opType: string;
  /** Emits the gradients of the node's inputs (null where `needs` is false or no gradient flows) from those of its outputs. */
  vjp(ctx: GradientContext, node: OnnxNode, dOutputs: ReadonlyArray<string | null>, needs: readonly boolean[]): Array<string | null>;
}
