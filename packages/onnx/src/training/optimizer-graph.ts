/** A trainable weight with its gradient, as an optimizer builder receives it. */
export interface OptimizerParameter {
  name: string;
  dims: number[];
  grad: string;
}

/** One optimizer buffer of one weight: a graph input holding its value and the output holding the next. */
export interface OptimizerSlot {
  parameter: string;
  /** PyTorch's name: `exp_avg`, `exp_avg_sq`, `momentum_buffer`. */
  buffer: string;
  input: string;
  output: string;
}

/** What an optimizer builder adds: per-step scalar inputs, buffers, the updated weights. */
export interface OptimizerGraph {
  kind: 'adam' | 'sgd';
  /** Scalar float inputs that change per step, with how to compute them (see each builder). */
  scalarInputs: string[];
  slots: OptimizerSlot[];
  /** Weight input name → the output holding the updated weight. */
  updated: Map<string, string>;
}
