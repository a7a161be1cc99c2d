import * as tf from '@tensorflow/tfjs-core';

/**
 * An optimizer's state as plain data (for saving and resuming): the number of `step()` calls and,
 * per variable name, its buffers (PyTorch's `exp_avg`/`exp_avg_sq` or `momentum_buffer`) and its own
 * step count (PyTorch keeps one per parameter; a parameter without a gradient is skipped).
 */
export interface OptimizerState {
  kind: 'adam' | 'sgd';
  step: number;
  slots: Record<string, { step: number; buffers: Record<string, Float32Array> }>;
}

/** `torch.optim`-style optimizer over a fixed list of tfjs variables, learning rate given per step. */
export interface TorchOptimizer {
  readonly kind: 'adam' | 'sgd';
  readonly variables: readonly tf.Variable[];
  /** Completed `step()` calls. */
  readonly stepCount: number;
  /** One update from gradients keyed by variable name (missing names are skipped, as a `None` grad). */
  step(grads: tf.NamedTensorMap, lr: number): void;
  /** The optimizer's state (step, moment buffers), read synchronously. */
  getState(): OptimizerState;
  /** `getState()` read back asynchronously, for backends that cannot read synchronously (webgpu in Node). */
  readState(): Promise<OptimizerState>;
  /** Restores `getState()`'s output; checks kind, names and sizes. */
  setState(state: OptimizerState): void;
  /** The hyperparameters (for a run's config.json). */
  readonly hyperparameters: Record<string, number | boolean>;
  /** Frees the slot variables. */
  dispose(): void;
}

interface Slot {
  step: number;
  buffers: Record<string, tf.Variable>;
}

/** Shared bookkeeping: per-variable slots (tf variables, created at a variable's first gradient), state I/O. */
export abstract class TorchOptimizerBase implements TorchOptimizer {
  abstract readonly kind: 'adam' | 'sgd';
  abstract readonly hyperparameters: Record<string, number | boolean>;
  protected readonly slots = new Map<string, Slot>();
  private readonly byName = new Map<string, tf.Variable>();
  private steps = 0;

  constructor(readonly variables: readonly tf.Variable[]) {
    for (const v of variables) {
      if (this.byName.has(v.name)) throw new Error(`optimizer: variable "${v.name}" is listed twice`);
      this.byName.set(v.name, v);
    }
  }

  get stepCount(): number {
    return this.steps;
  }

  /** Updates one variable in place; `slot` is created (buffers empty) on its first gradient. */
  protected abstract update(variable: tf.Variable, grad: tf.Tensor, slot: Slot, lr: number): void;

  step(grads: tf.NamedTensorMap, lr: number): void {
    if (!Number.isFinite(lr) || lr < 0) throw new Error(`optimizer.step: learning rate must be a finite number >= 0, got ${lr}`);
    for (const name of Object.keys(grads)) {
      if (!this.byName.has(name)) throw new Error(`optimizer.step: gradient for "${name}", which is not one of the optimizer's variables`);
    }
    for (const variable of this.variables) {
      const grad = grads[variable.name];
      if (!grad) continue;
      let slot = this.slots.get(variable.name);
      if (!slot) {
        slot = { step: 0, buffers: {} };
        this.slots.set(variable.name, slot);
      }
      slot.step += 1;
      this.update(variable, grad, slot, lr);
    }
    this.steps += 1;
  }

  /** The optimizer's state with every buffer read by `read` (all reads start before this returns). */
  private stateOf<T>(read: (buffer: tf.Tensor) => T): { step: number; slots: Record<string, { step: number; buffers: Record<string, T> }> } {
    const slots: Record<string, { step: number; buffers: Record<string, T> }> = {};
    for (const [name, slot] of this.slots) {
      slots[name] = { step: slot.step, buffers: Object.fromEntries(Object.entries(slot.buffers).map(([key, buffer]) => [key, read(buffer)])) };
    }
    return { step: this.steps, slots };
  }

  getState(): OptimizerState {
    return { kind: this.kind, ...this.stateOf((buffer) => buffer.dataSync() as Float32Array) };
  }

  async readState(): Promise<OptimizerState> {
    // Every read starts before the first await: the state read is the one at this call.
    const pending = this.stateOf((buffer) => buffer.data() as Promise<Float32Array>);
    const slots: OptimizerState['slots'] = {};
    for (const [name, slot] of Object.entries(pending.slots)) {
      const buffers: Record<string, Float32Array> = {};
      for (const [key, data] of Object.entries(slot.buffers)) buffers[key] = await data;
      slots[name] = { step: slot.step, buffers };
    }
    return { kind: this.kind, step: pending.step, slots };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== this.kind) throw new Error(`optimizer state is for ${state.kind}, this optimizer is ${this.kind}`);
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`optimizer state: step must be an integer >= 0, got ${state.step}`);
    const restored = new Map<string, Slot>();
    for (const [name, saved] of Object.entries(state.slots)) {
      const variable = this.byName.get(name);
      if (!variable) throw new Error(`optimizer state holds "${name}", which is not one of the optimizer's variables`);
      const buffers: Record<string, tf.Variable> = {};
      for (const [key, data] of Object.entries(saved.buffers)) {
        if (data.length !== variable.size) {
          throw new Error(`optimizer state "${name}/${key}" has ${data.length} values, the variable [${variable.shape}] has ${variable.size}`);
        }
        buffers[key] = slotVariable(tf.tensor(Float32Array.from(data), variable.shape, 'float32'));
      }
      restored.set(name, { step: saved.step, buffers });
    }
    this.disposeSlots();
    for (const [name, slot] of restored) this.slots.set(name, slot);
    this.steps = state.step;
  }

  private disposeSlots(): void {
    for (const slot of this.slots.values()) for (const buffer of Object.values(slot.buffers)) buffer.dispose();
    this.slots.clear();
  }

  dispose(): void {
    this.disposeSlots();
  }
}

/** A non-trainable variable holding `value`; `value` is disposed (the variable keeps the data). */
export function slotVariable(value: tf.Tensor): tf.Variable {
  const variable = tf.variable(value, false);
  value.dispose();
  return variable;
}
