import { summarizeOnnxModel, type OnnxSignatureEntry } from './onnx-model-summary.js';

/** The part of onnxruntime's JavaScript inference API (onnxruntime-common: onnxruntime-node and onnxruntime-web alike) the engine uses. */
export interface OnnxInferenceRuntime {
  InferenceSession: {
    /** A session for the model's ONNX bytes. */
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<{
      /** Runs the model on `feeds` (tensors by input name); the outputs by name. */
      run(feeds: Record<string, unknown>): Promise<Record<string, { readonly data: unknown; readonly dims: readonly number[] }>>;
      /** Frees the session. */
      release(): Promise<void>;
    }>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

/** Options of `createOnnxEngine`. */
export interface OnnxEngineOptions {
  /** onnxruntime session options (execution providers, threads); graph optimisations default to 'all'. */
  sessionOptions?: Record<string, unknown>;
  /** (height, width) when the model's input has symbolic height/width; otherwise read from the model. */
  inputSize?: readonly [number, number];
  /** Classes when the model's output has a symbolic class axis; otherwise read from the model. */
  numClasses?: number;
  /** Names the model in errors (a file name or URL). Default 'ONNX model bytes'. */
  source?: string;
  /** The engine's `name`. Default 'onnxruntime'. */
  name?: string;
}

/**
 * A segmentation model in onnxruntime. Structurally the `SegmentationEngine` of @levit-unet/inference:
 * images (n, h, w) float32 row-major in, logits (n, h, w, numClasses) NHWC out.
 */
export interface OnnxEngine {
  readonly name: string;
  readonly inputSize: readonly [number, number];
  readonly numClasses: number;
  /** images (n, h, w) float32 row-major → logits (n, h, w, numClasses) float32 NHWC. */
  predictLogits(images: Float32Array, n: number): Promise<Float32Array>;
  /** Releases the session. */
  dispose(): Promise<void> | void;
}

/** What a single-channel segmentation model's signature says: its layout, image size and class count. */
export interface OnnxSegmentationSignature {
  input: OnnxSignatureEntry;
  output: OnnxSignatureEntry;
  layout: 'nchw' | 'nhwc';
  inputSize: readonly [number, number];
  numClasses: number;
}

const known = (d: number | string | undefined): number | null => (typeof d === 'number' && d > 0 ? d : null);

/**
 * Reads an ONNX segmentation model's signature: one image input (N, 1, H, W) or (N, H, W, 1) and float32
 * logits; symbolic height/width or class axes come from the options. Anything else is one line naming `source`.
 */
export function readOnnxSegmentationSignature(model: Uint8Array, options: Omit<OnnxEngineOptions, 'sessionOptions' | 'name'> = {}): OnnxSegmentationSignature {
  const source = options.source ?? 'ONNX model bytes';
  let summary: ReturnType<typeof summarizeOnnxModel>;
  try {
    summary = summarizeOnnxModel(model);
  } catch (error) {
    throw new Error(`${source}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (summary.inputs.length !== 1 || summary.outputs.length < 1) {
    throw new Error(`${source}: expected one image input and a logits output, got inputs [${summary.inputs.map((i) => i.name)}] and outputs [${summary.outputs.map((o) => o.name)}]`);
  }
  const [input] = summary.inputs as [OnnxSignatureEntry];
  const [output] = summary.outputs as [OnnxSignatureEntry];
  if (input.shape.length !== 4 || input.elemType !== 'float32') {
    throw new Error(`${source}: input "${input.name}" must be float32 of rank 4 (N, 1, H, W) or (N, H, W, 1), got ${input.elemType} [${input.shape}]`);
  }
  if (output.shape.length !== 4 || output.elemType !== 'float32') {
    throw new Error(`${source}: output "${output.name}" must be float32 logits of rank 4 (N, K, H, W) or (N, H, W, K), got ${output.elemType} [${output.shape}]`);
  }
  const [, a, b, c] = input.shape;
  const metadataLayout = summary.metadata.layout;
  let layout: 'nchw' | 'nhwc';
  if (metadataLayout === 'nchw' || metadataLayout === 'nhwc') layout = metadataLayout;
  else if (known(a) === 1 && known(c) !== 1) layout = 'nchw';
  else if (known(c) === 1 && known(a) !== 1) layout = 'nhwc';
  else layout = 'nchw'; // PyTorch's order when the shape cannot tell
  const channels = layout === 'nchw' ? a : c;
  if (known(channels) != null && known(channels) !== 1) {
    throw new Error(`${source}: input "${input.name}" must have 1 channel, got shape [${input.shape}] (${layout})`);
  }
  const [h, w] = layout === 'nchw' ? [known(b), known(c)] : [known(a), known(b)];
  const inputSize = h != null && w != null ? ([h, w] as const) : options.inputSize;
  if (!inputSize) throw new Error(`${source}: input "${input.name}" has symbolic height/width [${input.shape}]: pass inputSize`);
  if (h != null && w != null && options.inputSize && (options.inputSize[0] !== h || options.inputSize[1] !== w)) {
    throw new Error(`${source}: inputSize [${options.inputSize}] disagrees with the model's input [${input.shape}]`);
  }
  const numClasses = known(layout === 'nchw' ? output.shape[1] : output.shape[3]) ?? options.numClasses;
  if (!numClasses) throw new Error(`${source}: output "${output.name}" has a symbolic class axis [${output.shape}]: pass numClasses`);
  return { input, output, layout, inputSize: [inputSize[0], inputSize[1]] as const, numClasses };
}

/** (n, K, h·w) → (n, h·w, K). */
function nchwToNhwc(data: Float32Array, n: number, classes: number, pixels: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    const base = b * classes * pixels;
    for (let k = 0; k < classes; k++) {
      const src = base + k * pixels;
      for (let p = 0, dst = base + k; p < pixels; p++, dst += classes) out[dst] = data[src + p]!;
    }
  }
  return out;
}

/**
 * Opens an ONNX segmentation model (ours from `exportOnnx`, or the official PyTorch model exported by
 * torch.onnx) in `runtime`: onnxruntime-node (`createOnnxRuntimeEngine` in `./node`), or onnxruntime-web in a
 * browser tab (wasm or WebGPU, as `sessionOptions.executionProviders` says). `runtime` may be a loader, called
 * after the model's signature has been checked.
 */
export async function createOnnxEngine(
  runtime: OnnxInferenceRuntime | (() => Promise<OnnxInferenceRuntime>),
  model: Uint8Array,
  options: OnnxEngineOptions = {},
): Promise<OnnxEngine> {
  const source = options.source ?? 'ONNX model bytes';
  const { input, output, layout, inputSize, numClasses } = readOnnxSegmentationSignature(model, options);
  const ort = typeof runtime === 'function' ? await runtime() : runtime;
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all', ...options.sessionOptions });
  const [h, w] = inputSize;
  return {
    name: options.name ?? 'onnxruntime',
    inputSize,
    numClasses,
    async predictLogits(images: Float32Array, n: number): Promise<Float32Array> {
      if (!Number.isInteger(n) || n < 1 || images.length !== n * h * w) {
        throw new Error(`predictLogits: images must hold n·${h}·${w} = ${n * h * w} values for n = ${n}, got ${images.length}`);
      }
      // One channel: (n, 1, h, w) and (n, h, w, 1) have the same memory as (n, h, w), so no copy.
      const dims = layout === 'nchw' ? [n, 1, h, w] : [n, h, w, 1];
      const results = await session.run({ [input.name]: new ort.Tensor('float32', images, dims) });
      const logits = results[output.name]!;
      const data = logits.data as Float32Array;
      const expected = layout === 'nchw' ? [n, numClasses, h, w] : [n, h, w, numClasses];
      if (logits.dims.join() !== expected.join()) throw new Error(`${source}: output "${output.name}" has shape [${logits.dims}], expected [${expected}]`);
      return layout === 'nchw' ? nchwToNhwc(data, n, numClasses, h * w) : data;
    },
    async dispose() {
      await session.release();
    },
  };
}
