import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { ConvEncoder, createUNet } from '@levit-unet/unet-decoder';
import { createOnnxRuntimeTrainer, probeTrainingDevice } from '../src/node/index.js';

await useTfBackend(registerWasmTrainingKernels);
const device = await probeTrainingDevice();

function batch(n: number, size: number) {
  const labels = Int32Array.from({ length: n * size * size }, (_, i) => (i % size) % 2);
  return { images: Float32Array.from(labels, (l, i) => l + 0.1 * Math.sin(i)), labels, labelShape: [n, size, size] as const };
}

describe('training devices', () => {
  it('probes a device without printing or throwing, once per process', async () => {
    expect(['cpu', 'webgpu', 'cuda']).toContain(device);
    expect(await probeTrainingDevice()).toBe(device);
  });

  it.skipIf(device !== 'webgpu')('--device webgpu trains like the CPU (3 steps; skipped: onnxruntime-node found no WebGPU adapter here)', async () => {
    const make = () => createUNet({ encoder: new ConvEncoder({ channels: [4, 8] }), inputShape: [16, 16, 1], numClasses: 2, decoderChannels: [4] });
    const cpuModel = make();
    const gpuModel = make();
    gpuModel.setWeights(cpuModel.getWeights());
    const options = { batchSize: 2, optimizer: { name: 'adam' as const }, threads: 2 };
    const cpu = await createOnnxRuntimeTrainer(cpuModel, options);
    const gpu = await createOnnxRuntimeTrainer(gpuModel, { ...options, device: 'webgpu' });
    for (let k = 0; k < 3; k++) {
      const [a, b] = [await cpu.step(batch(2, 16), 1e-3), await gpu.step(batch(2, 16), 1e-3)];
      expect(Math.abs(b.loss - a.loss) / a.loss).toBeLessThan(1e-3);
    }
    await cpu.dispose();
    await gpu.dispose();
  });

  it.skipIf(device === 'cuda')('a device whose provider does not start is one line naming it and --device cpu (CUDA: its libraries are not installed here)', async () => {
    const model = createUNet({ encoder: new ConvEncoder({ channels: [4, 8] }), inputShape: [16, 16, 1], numClasses: 2, decoderChannels: [4] });
    await expect(createOnnxRuntimeTrainer(model, { batchSize: 2, optimizer: { name: 'adam' }, device: 'cuda' })).rejects.toThrow(
      /^onnxruntime trainer: the cuda execution provider did not start \(.*\); the cpu device \(--device cpu\) trains on the CPU$/,
    );
    model.dispose();
  });
});
