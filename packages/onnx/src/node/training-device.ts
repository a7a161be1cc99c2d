import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { OnnxGraphBuilder, valueInfo } from '../onnx-graph-builder.js';
import { encodeOnnxModel, OnnxDataType } from '../onnx-proto.js';

/** An onnxruntime execution provider the engines run on. */
export type TrainingDevice = 'cpu' | 'webgpu' | 'cuda';

const run = promisify(execFile);

/**
 * The child's script: open a one-node graph on each GPU provider in turn and print the first that runs.
 * In a child process because a provider that finds no adapter or library logs to stderr (Dawn, the
 * provider bridge) and cannot be unloaded.
 */
const PROBE = `
const ort = await import(process.argv[1]);
// argv: onnxruntime-node's entry, a one-Relu model as base64.
const bytes = Uint8Array.from(atob(process.argv[2]), (c) => c.charCodeAt(0));
for (const device of ['webgpu', 'cuda']) {
  try {
    const session = await ort.InferenceSession.create(bytes, { executionProviders: [device], logSeverityLevel: 4 });
    await session.run({ x: new ort.Tensor('float32', new Float32Array([-1]), [1]) });
    process.stdout.write(device);
    process.exit(0);
  } catch {}
}
process.stdout.write('cpu');
`;

/** A model with one Relu node, for the probe. */
function probeModel(): string {
  const g = new OnnxGraphBuilder();
  const x = g.reserve('x');
  g.setShape(x, [1]);
  const y = g.op('Relu', [x], 'probe');
  const bytes = encodeOnnxModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: '@levit-unet/onnx',
    producerVersion: '0.1.0',
    graph: { name: 'probe', node: g.nodes, initializer: [], input: [valueInfo(x, OnnxDataType.FLOAT, [1])], output: [valueInfo(y, OnnxDataType.FLOAT, [1])] },
  });
  return Buffer.from(bytes).toString('base64');
}

let probed: Promise<TrainingDevice> | undefined;

/**
 * The device `auto` means here: 'webgpu' where onnxruntime-node's bundled WebGPU provider gets a GPU
 * adapter, else 'cuda' where its CUDA provider loads (its libraries are installed separately), else
 * 'cpu'. Probed once per process, in a child process (about a second).
 */
export function probeTrainingDevice(): Promise<TrainingDevice> {
  probed ??= (async () => {
    try {
      const entry = pathToFileURL(createRequire(import.meta.url).resolve('onnxruntime-node')).href;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PROBE, entry, probeModel()], { timeout: 60_000 });
      return stdout === 'webgpu' || stdout === 'cuda' ? stdout : 'cpu';
    } catch {
      return 'cpu';
    }
  })();
  return probed;
}
