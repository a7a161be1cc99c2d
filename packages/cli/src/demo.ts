import { join } from 'node:path';
import { generatePhantomVolume, patchToSlice, sliceToPatch, windowIntensities } from '@levit-unet/datasets';
import { writePng } from '@levit-unet/datasets/node';
import { createLeViTUNet, describeLeViTUNet, LEVIT_UNET_VARIANTS, type LeViTUNetVariant } from '@levit-unet/levit-unet';
import { initBackend } from '@levit-unet/levit-unet/node';
import { atomicWriteFile } from '@levit-unet/safe-fs';
import { argmaxLabels, blendOverlay, predictLogitsArray, sideBySide } from '@levit-unet/inference';

export interface DemoOptions {
  outDir: string;
  variants?: LeViTUNetVariant[];
  backend?: string;
  log?: (line: string) => void;
}

export interface DemoVariantResult {
  variant: LeViTUNetVariant;
  trainableParams: number;
  nonTrainableParams: number;
  msPerImage: number;
  overlay: string;
}

export interface DemoResult {
  backend: string;
  slice: { seed: number; index: number; shape: [number, number] };
  variants: DemoVariantResult[];
}

/**
 * The main job at this stage of the project: a synthetic abdominal CT slice (the bundled sample, made
 * by the datasets phantom generator), windowed and resized as TransUNet does, run through each
 * LeViT-UNet size (untrained weights: the point is the pipeline, not the mask), with parameter counts,
 * speed, and an overlay PNG [image | ground truth | prediction] per size.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? (() => {});
  const { backend } = await initBackend(options.backend);
  log(`backend: ${backend}`);
  const seed = 0;
  const phantom = generatePhantomVolume({ seed, shape: [16, 512, 512] });
  const [, h, w] = phantom.image.shape;
  // The slice showing the most organs.
  let index = 0;
  let best = -1;
  for (let z = 0; z < phantom.label.shape[0]; z++) {
    const present = new Set(phantom.label.data.subarray(z * h * w, (z + 1) * h * w)).size;
    if (present > best) [best, index] = [present, z];
  }
  const hu = phantom.image.data.subarray(index * h * w, (index + 1) * h * w);
  const image = windowIntensities(hu);
  const truth = phantom.label.data.subarray(index * h * w, (index + 1) * h * w);
  const input = sliceToPatch({ data: image, shape: [h, w] }, [224, 224]);
  log(`sample: phantom seed ${seed}, slice ${index} (${best - 1} organs), ${h}×${w} → 224×224`);

  const results: DemoVariantResult[] = [];
  for (const variant of options.variants ?? [...LEVIT_UNET_VARIANTS]) {
    const model = createLeViTUNet({ variant, numClasses: 9 });
    const info = describeLeViTUNet(model);
    const batch = { data: input.data, shape: [1, 224, 224, 1] };
    await predictLogitsArray(model, batch, { layout: 'nhwc' });
    const t0 = performance.now();
    const logits = await predictLogitsArray(model, batch, { layout: 'nhwc' });
    const msPerImage = performance.now() - t0;
    model.dispose();
    const labels224 = argmaxLabels(logits, 'nhwc');
    const labels = patchToSlice({ data: labels224.data, shape: [224, 224] }, [h, w]);
    const overlay = join(options.outDir, `levit-unet-${variant}.png`);
    await writePng(overlay, sideBySide([blendOverlay(image, null, w, h), blendOverlay(image, truth, w, h), blendOverlay(image, labels.data, w, h)]));
    results.push({ variant, trainableParams: info.trainableParams, nonTrainableParams: info.nonTrainableParams, msPerImage, overlay });
    log(
      `LeViT-UNet-${variant.padEnd(4)}  trainable ${info.trainableParams.toLocaleString('en-US').padStart(10)}  non-trainable ${info.nonTrainableParams.toLocaleString('en-US').padStart(7)}  ${msPerImage.toFixed(0).padStart(5)} ms/image  → ${overlay}`,
    );
  }
  const result: DemoResult = { backend, slice: { seed, index, shape: [h, w] }, variants: results };
  await atomicWriteFile(join(options.outDir, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`);
  log(`summary: ${join(options.outDir, 'summary.json')}`);
  return result;
}
