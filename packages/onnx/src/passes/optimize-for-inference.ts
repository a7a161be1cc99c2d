import { foldBatchNorms } from './fold-batch-norm.js';
import { foldConstants } from './fold-constants.js';
import type { GraphPass, OnnxGraphIR } from './onnx-graph-ir.js';
import { pruneUnused } from './prune-unused.js';

/** The passes inference export runs, in order: weight transforms become constants, BatchNorms fold into their layers, leftovers go. */
export const INFERENCE_PASSES: readonly GraphPass[] = [foldConstants, foldBatchNorms, pruneUnused];

export function optimizeForInference(graph: OnnxGraphIR): OnnxGraphIR {
  return INFERENCE_PASSES.reduce((g, pass) => pass(g), graph);
}
