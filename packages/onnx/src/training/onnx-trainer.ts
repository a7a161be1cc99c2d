import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { adamScalars } from './adam-graph.js';
import { sgdScalars } from './sgd-graph.js';
import { buildTrainingGraph, type TrainingGraph, type TrainingGraphOptions } from './training-graph.js';

/** The part of onnxruntime's JavaScript API (onnxruntime-common: onnxruntime-node and onnxruntime-web alike) the trainer uses. */
export interface OnnxTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
}
/** An onnxruntime `InferenceSession`, as far as the trainer uses it. */
export interface OnnxSessionLike {
  /** Runs the graph; `fetches` names the outputs (a tensor to write into, or null). */
  run(feeds: Record<string, OnnxTensorLike>, fetches: Record<string, OnnxTensorLike | null>): Promise<Record<string, OnnxTensorLike>>;
  /** Frees the session. */
  release(): Promise<void>;
  /** Writes the profile when profiling is on. */
  endProfiling(): void;
}
/** An onnxruntime module (onnxruntime-node or onnxruntime-web), as far as the trainer uses it. */
export interface OnnxRuntimeLike {
  InferenceSession: {
    /** A session for the model's ONNX bytes. */
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<OnnxSessionLike>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OnnxTensorLike;
}

/** Options of `createOnnxTrainer`. */
export interface OnnxTrainerOptions extends TrainingGraphOptions {
  /** onnxruntime session options (execution providers, threads, memory). */
  sessionOptions: Record<string, unknown>;
  /** What `sessionOptions` runs on, for messages and `trainer.device`. */
  device: string;
  /** Uniform [0, 1) numbers for the drop-path masks (384); pass a seeded stream for reproducible runs. Default Math.random. */
  random?: () => number;
  /** Call `endProfiling()` on every session at dispose. */
  endProfiling?: boolean;
  /**
   * The runtime writes outputs into pre-allocated tensors passed in `fetches` (onnxruntime-node does;
   * onnxruntime-web 1.30 copies them into its heap and hands the caller's tensor back unchanged). When
   * false (the default) outputs are fetched by name and copied into the trainer's buffers.
   */
  preallocatedOutputs?: boolean;
}

/** One batch: images (B, H, W) or NHWC (B, H, W, C) float32, labels int32 (B, H, W). */
export interface TrainerBatch {
  images: Float32Array;
  labels: Int32Array;
  labelShape: readonly [number, number, number];
}

/** One training step's loss and its parts (and gradient norms when asked for). */
export interface TrainerStepResult {
  loss: number;
  ce: number;
  dice: number;
  /** ‖gradient‖ of every trainable weight, by tfjs variable name (when asked for). */
  gradNorms?: Map<string, number>;
  /** False when the loss was not finite: the step's update was discarded, nothing changed. */
  applied: boolean;
}

/** An optimizer's state keyed by tfjs variable name, as @levit-unet/training's `OptimizerState`. */
export interface TrainerOptimizerState {
  kind: 'adam' | 'sgd';
  step: number;
  slots: Record<string, { step: number; buffers: Record<string, Float32Array> }>;
}

/** Trains a tfjs model's weights in onnxruntime (node or web) with one graph per iteration (see `buildTrainingGraph`). */
export interface OnnxRuntimeTrainer {
  readonly graph: Omit<TrainingGraph, 'bytes'>;
  /** The execution provider it runs on ('cpu', 'webgpu', 'cuda', 'wasm'). */
  readonly device: string;
  /** Completed (applied) steps. */
  readonly stepCount: number;
  /** One training iteration on `batch` at learning rate `lr`: forward, loss, backward and optimizer update in one session run. */
  step(batch: TrainerBatch, lr: number, options?: { gradNorms?: boolean }): Promise<TrainerStepResult>;
  /** Writes the current weights and BatchNorm statistics (num_batches_tracked + steps) into the tfjs model. */
  syncModel(): void;
  /** The optimizer's step and moment buffers, keyed by tfjs variable name. */
  getOptimizerState(): TrainerOptimizerState;
  /** Restores `getOptimizerState()`'s output (a resumed run, or a switch of engine). */
  setOptimizerState(state: TrainerOptimizerState): void;
  /** Releases the session and the trainer's buffers. */
  dispose(): Promise<void>;
}

/**
 * Builds the training graph of `model` and opens it in `runtime` (onnxruntime-node, or onnxruntime-web in
 * a browser tab). Weights, BatchNorm statistics and optimizer buffers live in two sets of buffers that the
 * session reads from and writes into in turn (with `preallocatedOutputs`, as onnxruntime-node: no state is
 * copied in JavaScript per step); the model's variables are written only by `syncModel()`. Browser-safe.
 */
export async function createOnnxTrainer(runtime: OnnxRuntimeLike, model: LayersModel, options: OnnxTrainerOptions): Promise<OnnxRuntimeTrainer> {
  const device = options.device;
  const { bytes, ...graph } = buildTrainingGraph(model, options);
  const ort = runtime;
  const createSession = async (bytes: Uint8Array) => {
    try {
      return await ort.InferenceSession.create(bytes, options.sessionOptions);
    } catch (error) {
      if (device === 'cpu') throw error;
      throw new Error(`onnxruntime trainer: the ${device} execution provider did not start (${(error as Error).message.split('\n')[0]}); the cpu device (--device cpu) trains on the CPU`);
    }
  };
  // One session per batch size (every shape in a training graph is static): the configured one now, a
  // smaller last batch of an epoch when it comes. The graphs' input and output names are the same.
  const sessions = new Map([[graph.batchSize, { graph, session: await createSession(bytes) }]]);
  const sessionFor = async (batchSize: number) => {
    let entry = sessions.get(batchSize);
    if (!entry) {
      const { bytes: other, ...otherGraph } = buildTrainingGraph(model, { ...options, batchSize });
      entry = { graph: otherGraph, session: await createSession(other) };
      sessions.set(batchSize, entry);
    }
    return entry;
  };
  const [h, w, c] = graph.imageShape;
  const K = graph.numClasses;
  const random = options.random ?? Math.random;

  // State: every value carried from one step to the next, as [input name, output name, dims].
  const carried: Array<{ input: string; output: string; dims: number[] }> = [];
  for (const p of graph.parameters) {
    const output = p.trainable ? graph.updatedWeights.get(p.name) : graph.updatedStatistics.get(p.name);
    if (output) carried.push({ input: p.name, output, dims: p.dims });
  }
  const slotDims = new Map(graph.parameters.map((p) => [p.name, p.dims]));
  for (const s of graph.optimizer.slots) carried.push({ input: s.input, output: s.output, dims: slotDims.get(s.parameter)! });
  let current = new Map<string, Float32Array>();
  let next = new Map<string, Float32Array>();
  const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
  for (const { input, dims } of carried) {
    current.set(input, new Float32Array(size(dims)));
    next.set(input, new Float32Array(size(dims)));
  }
  const readModel = () => {
    for (const p of graph.parameters) current.get(p.name)?.set(p.variable.read().dataSync() as Float32Array);
  };
  readModel();
  const byVariableName = new Map(graph.parameters.filter((p) => p.trainable).map((p) => [p.variable.name, p]));
  const trainable = graph.parameters.filter((p) => p.trainable);
  let steps = 0;
  /** Applied steps since the last sync (the BatchNorm counters to add). */
  let unsynced = 0;
  const config = options.optimizer;


  const trainer: OnnxRuntimeTrainer = {
    graph,
    device,
    get stepCount() {
      return steps;
    },
    async step(batch, lr, stepOptions = {}) {
      const [B, bh, bw] = batch.labelShape;
      if (!Number.isInteger(B) || B < 1 || bh !== h || bw !== w) throw new Error(`onnxruntime trainer: the model trains on (B, ${h}, ${w}) batches, got labels (${batch.labelShape})`);
      if (batch.images.length !== B * h * w * c) throw new Error(`onnxruntime trainer: images hold ${batch.images.length} values, (${B}, ${h}, ${w}, ${c}) needs ${B * h * w * c}`);
      if (!Number.isFinite(lr) || lr < 0) throw new Error(`onnxruntime trainer: learning rate must be a finite number >= 0, got ${lr}`);
      const oneHot = new Float32Array(B * K * h * w);
      const hw = h * w;
      for (let n = 0; n < B; n++) {
        for (let p = 0; p < hw; p++) {
          const label = batch.labels[n * hw + p]!;
          if (!(label >= 0 && label < K)) throw new Error(`onnxruntime trainer: label ${label} at flat index ${n * hw + p} is outside 0..${K - 1} (numClasses ${K})`);
          oneHot[(n * K + label) * hw + p] = 1;
        }
      }
      let image = batch.images;
      if (c > 1) {
        const nchw = new Float32Array(B * c * h * w);
        for (let n = 0; n < B; n++) for (let p = 0; p < hw; p++) for (let k = 0; k < c; k++) nchw[(n * c + k) * hw + p] = batch.images[(n * hw + p) * c + k]!;
        image = nchw;
      }
      const { graph: stepGraph, session } = await sessionFor(B);
      const t = steps + 1;
      const scalars = config.name === 'adam' ? adamScalars(lr, t, config.betas ?? [0.9, 0.999]) : sgdScalars(lr, t, { momentum: config.momentum ?? 0, dampening: config.dampening ?? 0, nesterov: false, weightDecay: 0 });
      const feeds: Record<string, OnnxTensorLike> = {
        [graph.inputs.image]: new ort.Tensor('float32', image, [B, c, h, w]),
        [graph.inputs.labels]: new ort.Tensor('float32', oneHot, [B, K, h, w]),
      };
      for (const name of graph.optimizer.scalarInputs) feeds[name] = new ort.Tensor('float32', new Float32Array([scalars[name]!]), []);
      for (const d of stepGraph.dropPaths) {
        const mask = Float32Array.from({ length: B }, () => (random() >= d.rate ? 1 / (1 - d.rate) : 0));
        feeds[d.name] = new ort.Tensor('float32', mask, d.dims);
      }
      const fetches: Record<string, OnnxTensorLike | null> = {
        [graph.outputs.loss]: null,
        [graph.outputs.ce]: null,
        [graph.outputs.dice]: null,
        [graph.outputs.gradSquaredNorms]: null,
      };
      for (const { input, output, dims } of carried) {
        feeds[input] = new ort.Tensor('float32', current.get(input)!, dims);
        fetches[output] = options.preallocatedOutputs ? new ort.Tensor('float32', next.get(input)!, dims) : null;
      }
      const results = await session.run(feeds, fetches);
      // Outputs fetched by name come back in the runtime's own arrays: into the trainer's buffers.
      for (const { input, output } of carried) {
        const data = results[output]!.data as Float32Array;
        const buffer = next.get(input)!;
        if (data !== buffer) buffer.set(data);
      }
      const scalar = (name: string) => Number((results[name]!.data as Float32Array)[0]);
      const [loss, ce, dice] = [scalar(graph.outputs.loss), scalar(graph.outputs.ce), scalar(graph.outputs.dice)];
      const applied = Number.isFinite(loss);
      if (applied) {
        [current, next] = [next, current];
        steps += 1;
        unsynced += 1;
      }
      const norms = results[graph.outputs.gradSquaredNorms]!.data as Float32Array;
      return {
        loss,
        ce,
        dice,
        applied,
        ...(stepOptions.gradNorms ? { gradNorms: new Map(trainable.map((p, i) => [p.variable.name, Math.sqrt(norms[i]!)])) } : {}),
      };
    },
    syncModel() {
      tf.tidy(() => {
        for (const p of graph.parameters) {
          const data = current.get(p.name);
          // A copy: tfjs's cpu backend keeps the array it is given, and the trainer writes into this one again.
          if (data) p.variable.write(tf.tensor(Float32Array.from(data), p.dims, 'float32'));
        }
        // PyTorch counts BatchNorm forward passes in training mode per BatchNorm.
        for (const layer of model.layers) {
          for (const v of layer.weights) {
            if (v.dtype === 'int32' && v.originalName.endsWith('num_batches_tracked') && unsynced > 0) v.write(tf.add(v.read(), tf.scalar(unsynced, 'int32')));
          }
        }
      });
      unsynced = 0;
    },
    getOptimizerState() {
      const slots: TrainerOptimizerState['slots'] = {};
      if (steps > 0) {
        for (const p of trainable) slots[p.variable.name] = { step: steps, buffers: {} };
        for (const s of graph.optimizer.slots) {
          const p = graph.parameters.find((q) => q.name === s.parameter)!;
          slots[p.variable.name]!.buffers[s.buffer] = Float32Array.from(current.get(s.input)!);
        }
      }
      return { kind: graph.optimizer.kind, step: steps, slots };
    },
    setOptimizerState(state) {
      if (state.kind !== graph.optimizer.kind) throw new Error(`optimizer state is for ${state.kind}, this optimizer is ${graph.optimizer.kind}`);
      if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`optimizer state: step must be an integer >= 0, got ${state.step}`);
      for (const s of graph.optimizer.slots) current.get(s.input)!.fill(0);
      for (const [name, saved] of Object.entries(state.slots)) {
        const p = byVariableName.get(name);
        if (!p) throw new Error(`optimizer state holds "${name}", which is not one of the trained variables`);
        if (saved.step !== state.step) throw new Error(`optimizer state "${name}": step ${saved.step} differs from the optimizer's ${state.step}; the onnxruntime engine keeps one step for all weights`);
        for (const [buffer, data] of Object.entries(saved.buffers)) {
          const slot = graph.optimizer.slots.find((s) => s.parameter === p.name && s.buffer === buffer);
          if (!slot) throw new Error(`optimizer state "${name}/${buffer}": ${graph.optimizer.kind} has no such buffer`);
          const target = current.get(slot.input)!;
          if (data.length !== target.length) throw new Error(`optimizer state "${name}/${buffer}" has ${data.length} values, the variable [${p.dims}] has ${target.length}`);
          target.set(data);
        }
      }
      steps = state.step;
    },
    async dispose() {
      for (const { session } of sessions.values()) {
        if (options.endProfiling) session.endProfiling();
        await session.release();
      }
      sessions.clear();
    },
  };
  return trainer;
}
