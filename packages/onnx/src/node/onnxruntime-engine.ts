import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { summarizeOnnxModel, type OnnxSignatureEntry } from '../onnx-model-summary.js';
import { loadOnnxRuntime } from './load-onnxruntime.js';
import { probeTrainingDevice, type TrainingDevice } from './training-device.js';

export interface OnnxRuntimeEngineOptions {
  /** Intra-op threads; default every core (`os.availableParallelism()`). */
  threads?: number;
  /** (height, width) when the model's input has symbolic height/width; otherwise read from the model. */
  inputSize?: readonly [number, number];
  /** Classes when the model's output has a symbolic class axis; otherwise read from the model. */
  numClasses?: number;
  /** Execution provider: 'cpu' (default), 'webgpu' (bundled with onnxruntime-node), 'cuda' (its libraries installed separately), or 'auto' (`probeTrainingDevice`). */
  device?: TrainingDevice | 'auto';
}

/**
 * A segmentation model running in onnxruntime-node. Structurally the `SegmentationEngine` of
 * @levit-unet/inference: images (n, h, w) float32 row-major in, logits (n, h, w, numClasses) NHWC out.
 */
export interface OnnxRuntimeEngine {
  readonly name: string;
  readonly inputSize: readonly [number, number];
  readonly numClasses: number;
  /** images (n, h, w) float32 row-major → logits (n, h, w, numClasses) float32 NHWC. */
  predictLogits(images: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void> | void;
}

const known = (d: number | string | undefined): number | null => (typeof d === 'number' && d > 0 ? d : null);

/** The model's layout, image size and class count from its signature; symbolic axes from the options. */
function readGeometry(input: OnnxSignatureEntry, output: OnnxSignatureEntry, metadataLayout: string | undefined, options: OnnxRuntimeEngineOptions, source: string) {
  if (input.shape.length !== 4 || input.elemType !== 'float32') {
    throw new Error(`${source}: input "${input.name}" must be float32 of rank 4 (N, 1, H, W) or (N, H, W, 1), got ${input.elemType} [${input.shape}]`);
  }
  if (output.shape.length !== 4 || output.elemType !== 'float32') {
    throw new Error(`${source}: output "${output.name}" must be float32 logits of rank 4 (N, K, H, W) or (N, H, W, K), got ${output.elemType} [${output.shape}]`);
  }
  const [, a, b, c] = input.shape;
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
  const classes = known(layout === 'nchw' ? output.shape[1] : output.shape[3]) ?? options.numClasses;
  if (!classes) throw new Error(`${source}: output "${output.name}" has a symbolic class axis [${output.shape}]: pass numClasses`);
  return { layout, inputSize: [inputSize[0], inputSize[1]] as const, numClasses: classes };
}

/** (n, K, h·w) → (n, h·w, K). */
function nchwToNhwc(data: Float32Array, n: number, classes: number, pixels: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    const base = b * classes * pixels;
    for (let k = 0; k < classes; k++) {
      const src = base + k * pixels;
      for (let p = 0, dst = base + k; p < pixels; p++, dst += classes) out[dst] = data[src + p];
    }
  }
  return out;
}

/**
 * Opens an ONNX segmentation model (a file path or its bytes: ours from `exportOnnx`, or the official
 * PyTorch model exported by torch.onnx) in onnxruntime-node on the CPU, all graph optimisations on.
 */
export async function createOnnxRuntimeEngine(model: string | Uint8Array, options: OnnxRuntimeEngineOptions = {}): Promise<OnnxRuntimeEngine> {
  const source = typeof model === 'string' ? model : 'ONNX model bytes';
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`createOnnxRuntimeEngine: threads must be a positive integer, got ${options.threads}`);
  const bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model;
  const summary = summarizeOnnxModel(bytes);
  if (summary.inputs.length !== 1 || summary.outputs.length < 1) {
    throw new Error(`${source}: expected one image input and a logits output, got inputs [${summary.inputs.map((i) => i.name)}] and outputs [${summary.outputs.map((o) => o.name)}]`);
  }
  const [input] = summary.inputs;
  const [output] = summary.outputs;
  const { layout, inputSize, numClasses } = readGeometry(input, output, summary.metadata.layout, options, source);
  const ort = await loadOnnxRuntime('createOnnxRuntimeEngine');
  const device = options.device === 'auto' ? await probeTrainingDevice() : (options.device ?? 'cpu');
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      executionProviders: device === 'cpu' ? ['cpu'] : [device, 'cpu'],
    });
  } catch (error) {
    if (device === 'cpu') throw error;
    throw new Error(`${source}: the ${device} execution provider did not start (${(error as Error).message.split('\n')[0]}); --device cpu runs on the CPU`);
  }
  const [h, w] = inputSize;
  return {
    name: 'onnxruntime',
    inputSize,
    numClasses,
    async predictLogits(images: Float32Array, n: number): Promise<Float32Array> {
      if (!Number.isInteger(n) || n < 1 || images.length !== n * h * w) {
        throw new Error(`predictLogits: images must hold n·${h}·${w} = ${n * h * w} values for n = ${n}, got ${images.length}`);
      }
      // One channel: (n, 1, h, w) and (n, h, w, 1) have the same memory as (n, h, w), so no copy.
      const dims = layout === 'nchw' ? [n, 1, h, w] : [n, h, w, 1];
      const results = await session.run({ [input.name]: new ort.Tensor('float32', images, dims) });
      const logits = results[output.name];
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
