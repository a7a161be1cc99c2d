/**
 * One conformance suite every encoder passes, in the spirit of segmentation_models_pytorch's
 * `BaseModelTester`: pyramid shapes at every level, a decoder built from the pyramid, a training step
 * that reaches every weight, a save/load round trip with identical outputs, and a clear error for an
 * input size the encoder cannot take. The encoder and `createUNet` come in as arguments, so this private
 * test package depends on no workspace library (no dependency cycles).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

/** The `Encoder` interface of `@levit-unet/unet-decoder`, restated structurally. */
export interface ConformingEncoder {
  readonly pyramid: { strides: number[]; channels: number[] };
  apply(input: tf.SymbolicTensor): tf.SymbolicTensor[];
}

export interface EncoderConformanceCase {
  /** A fresh encoder each call (layers cannot be shared between models). */
  makeEncoder: () => ConformingEncoder;
  /** NHWC input shape without batch. */
  inputShape: [number, number, number];
  /** An input shape the encoder must refuse with a clear error, and what the message must contain. */
  unsupported: { inputShape: [number, number, number]; message: RegExp };
  createUNet: (options: { encoder: ConformingEncoder; inputShape: [number, number, number]; numClasses: number }) => tf.LayersModel;
  numClasses?: number;
}

/** Registers the conformance tests for one encoder under `describe(name)`. Needs a tfjs backend that can train. */
export function encoderConformance(name: string, c: EncoderConformanceCase): void {
  const numClasses = c.numClasses ?? 3;
  const [h, w, channels] = c.inputShape;

  describe(`encoder conformance: ${name}`, () => {
    it('produces the feature pyramid it promises, level by level', () => {
      const encoder = c.makeEncoder();
      const features = encoder.apply(tf.input({ shape: c.inputShape }));
      const { strides, channels: widths } = encoder.pyramid;
      expect(features.length).toBe(strides.length);
      features.forEach((f, i) => expect(f.shape, `level ${i}`).toEqual([null, h / strides[i], w / strides[i], widths[i]]));
    });

    it('gets a decoder from its pyramid: logits at the input resolution, leaking no tensor', () => {
      const before = tf.memory().numTensors;
      const model = c.createUNet({ encoder: c.makeEncoder(), inputShape: c.inputShape, numClasses });
      try {
        expect(model.outputs[0].shape).toEqual([null, h, w, numClasses]);
        const x = tf.randomNormal([1, h, w, channels]);
        const y = tf.tidy(() => model.predict(x) as tf.Tensor);
        expect(y.shape).toEqual([1, h, w, numClasses]);
        y.dispose();
        // The first predict may leave inference caches (folded BatchNorms) with the model; later ones add nothing.
        const held = tf.memory().numTensors;
        tf.tidy(() => model.predict(x) as tf.Tensor).dispose();
        expect(tf.memory().numTensors).toBe(held);
        x.dispose();
      } finally {
        model.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    });

    it('trains: one step gives every trainable weight a finite, non-zero gradient', async () => {
      const model = c.createUNet({ encoder: c.makeEncoder(), inputShape: c.inputShape, numClasses });
      try {
        const x = tf.randomNormal([2, h, w, channels], 0, 1, 'float32', 7);
        const labels = tf.oneHot(tf.randomUniform([2, h, w], 0, numClasses, 'int32', 8), numClasses);
        const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
        // Perturbed weights: zero-initialised residual γ (LeViT) would otherwise zero whole branches' gradients at init.
        vars.forEach((v, i) => tf.tidy(() => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.1, 'float32', 100 + i)))));
        const { value, grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
          vars,
        );
        expect(Number.isFinite((await value.data())[0])).toBe(true);
        const dead: string[] = [];
        for (const v of vars) {
          const g = grads[v.name];
          const norm = g ? (await tf.tidy(() => tf.norm(g)).data())[0] : 0;
          if (!(Number.isFinite(norm) && norm > 0)) dead.push(`${v.name} (|g| = ${norm})`);
        }
        expect(dead).toEqual([]);
        tf.dispose([x, labels, value, ...Object.values(grads)]);
      } finally {
        model.dispose();
      }
    });

    it('saves and loads: the reloaded model gives identical outputs', async () => {
      const model = c.createUNet({ encoder: c.makeEncoder(), inputShape: c.inputShape, numClasses });
      try {
        let artifacts: tf.io.ModelArtifacts | undefined;
        await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
        const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
        try {
          const x = tf.randomNormal([1, h, w, channels], 0, 1, 'float32', 9);
          const [a, b] = [model, loaded].map((m) => m.predict(x) as tf.Tensor);
          expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
          tf.dispose([x, a, b]);
        } finally {
          loaded.dispose();
        }
      } finally {
        model.dispose();
      }
    });

    it('refuses an unsupported input size with a clear error', () => {
      expect(() => {
        const model = c.createUNet({ encoder: c.makeEncoder(), inputShape: c.unsupported.inputShape, numClasses });
        model.dispose();
      }).toThrow(c.unsupported.message);
    });
  });
}
