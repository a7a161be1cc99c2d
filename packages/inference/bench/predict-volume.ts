// Throughput of TransUNet's test-time procedure (predictVolumeLabels) on the 2-core machine, wasm backend:
// the model-independent part (order-3 resize to 224, argmax, order-0 resize back) with an engine that
// costs nothing, then a small tfjs CNN UNet at 224x224 with batch 1 and 8. Prints one JSON line.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { generatePhantomVolume, prepareVolume, type NdArray } from '@levit-unet/datasets';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { ConvEncoder, createUNet } from '@levit-unet/unet-decoder';
import { createTfjsEngine, predictVolumeLabels, type SegmentationEngine } from '../src/index.js';

registerWasmTrainingKernels();
await tf.setBackend('wasm');
await tf.ready();

const slices = Number(process.env.SLICES ?? 16);
const phantom = generatePhantomVolume({ seed: 0, shape: [slices, 512, 512] });
const volume: NdArray<Float32Array> = prepareVolume({ ...phantom.image, affine: phantom.affine }, phantom.label).image;

const free: SegmentationEngine = {
  name: 'free',
  inputSize: [224, 224],
  numClasses: 9,
  predictLogits: async (_images, n) => new Float32Array(n * 224 * 224 * 9),
  dispose: () => {},
};

async function msPerSlice(engine: SegmentationEngine, batchSize: number): Promise<number> {
  const started = performance.now();
  await predictVolumeLabels(engine, volume, { batchSize });
  return Math.round(((performance.now() - started) / slices) * 10) / 10;
}

await msPerSlice(free, 8); // warm-up (spline plans, JIT)
const pipeline = await msPerSlice(free, 8);
const model = createUNet({ encoder: new ConvEncoder({ channels: [16, 32, 64, 128] }), inputShape: [224, 224, 1], numClasses: 9, decoderChannels: [128, 64, 32] });
const parameters = model.countParams();
const engine = createTfjsEngine(model, { ownsModel: true });
await predictVolumeLabels(engine, { data: volume.data.subarray(0, 2 * 512 * 512), shape: [2, 512, 512] }, { batchSize: 2 }); // warm-up
const batch1 = await msPerSlice(engine, 1);
const batch8 = await msPerSlice(engine, 8);
const tensorsBefore = tf.memory().numTensors;
engine.dispose();
const weightTensorsFreed = tensorsBefore - tf.memory().numTensors;
console.log(
  JSON.stringify({
    volume: `${slices}x512x512 phantom CT, 512->224->512`,
    backend: tf.getBackend(),
    msPerSlicePipelineOnly: pipeline,
    convUNet224: { parameters, msPerSliceBatch1: batch1, msPerSliceBatch8: batch8 },
    weightTensorsFreed,
    tensorsLeft: tf.memory().numTensors,
  }),
);
