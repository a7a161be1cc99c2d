import * as ort from 'onnxruntime-node';
import type * as tfNamespace from '@tensorflow/tfjs';
import type { LayersModel } from '@tensorflow/tfjs-layers';

type Tf = typeof tfNamespace;

/**
 * Gives every BatchNorm non-trivial statistics and affine parameters (a fresh model has mean 0, var 1,
 * γ 1 or 0, β 0, which would hide a wrong fold) and the attention biases random values, seeded.
 */
export function randomizeInferenceWeights(tf: Tf, model: LayersModel, seed = 1): void {
  let k = seed;
  tf.tidy(() => {
    for (const w of model.weights) {
      const name = w.originalName;
      const shape = w.shape as number[];
      if (/(running_var|moving_variance)$/.test(name)) w.write(tf.randomUniform(shape, 0.5, 2, 'float32', k++));
      else if (/(running_mean|moving_mean|bn\.bias|\.1\.bias|beta)$/.test(name)) w.write(tf.randomNormal(shape, 0, 0.2, 'float32', k++));
      else if (/(bn\.weight|\.1\.weight|gamma)$/.test(name) && shape.length === 1) w.write(tf.randomUniform(shape, 0.5, 1.5, 'float32', k++));
      else if (/attention_biases$/.test(name)) w.write(tf.randomNormal(shape, 0, 1, 'float32', k++));
    }
  });
}

/** Runs an ONNX model once on a float32 input; returns its first output. */
export async function runOnnx(bytes: Uint8Array, input: Float32Array, dims: number[], threads = 2): Promise<{ data: Float32Array | BigInt64Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  try {
    const results = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, dims) });
    const out = results[session.outputNames[0]];
    return { data: out.data as Float32Array | BigInt64Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

/** tfjs NHWC logits of an NHWC input, returned NCHW (the ONNX model's order). */
export async function tfjsLogitsNchw(tf: Tf, model: LayersModel, inputNhwc: tfNamespace.Tensor4D): Promise<Float32Array> {
  const logits = tf.tidy(() => tf.transpose(model.predict(inputNhwc) as tfNamespace.Tensor4D, [0, 3, 1, 2]));
  const data = (await logits.data()) as Float32Array;
  logits.dispose();
  return data;
}

/** The NCHW copy of an NHWC tensor's data. */
export async function nchwData(tf: Tf, x: tfNamespace.Tensor4D): Promise<Float32Array> {
  const t = tf.transpose(x, [0, 3, 1, 2]);
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

/** Fraction of pixels whose argmax over the class axis (axis 1 of NCHW data) agrees. */
export function argmaxAgreement(a: ArrayLike<number>, b: ArrayLike<number>, n: number, classes: number, pixels: number): number {
  let agree = 0;
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < pixels; p++) {
      let ba = 0;
      let bb = 0;
      for (let k = 1; k < classes; k++) {
        const o = (i * classes + k) * pixels + p;
        if (a[o] > a[(i * classes + ba) * pixels + p]) ba = k;
        if (b[o] > b[(i * classes + bb) * pixels + p]) bb = k;
      }
      if (ba === bb) agree++;
    }
  }
  return agree / (n * pixels);
}
