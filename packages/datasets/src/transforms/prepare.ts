import { TRANSUNET_CT_WINDOW, normalizeMri, windowIntensities } from './intensity.js';
import { remapLabels, type LabelMap } from '../layouts/label-map.js';
import { toAxialStack } from './slice-axis.js';
import { checkedImage, checkedLabels, checkSameShape } from '../validate.js';
import type { NdArray } from '../volume.js';

/** How intensities are normalised: a fixed CT window in HU, or per-volume MRI percentiles. */
export type Modality = 'ct' | 'mri';

/** Options of `prepareVolume`: modality, intensity window, label mapping. */
export interface PrepareVolumeOptions {
  /** 'ct' (default): fixed HU window; 'mri': per-volume percentile normalisation (see `normalizeMri`). */
  modality?: Modality;
  /** CT window in HU (default TransUNet's [-125, 275]). */
  window?: readonly [number, number];
  /** Source label id → target id (e.g. `BTCV_TO_SYNAPSE`); without one, labels are kept and range-checked. */
  labelMap?: LabelMap | null;
  /** Number of classes the kept labels must fit (default 9, Synapse). */
  numClasses?: number;
}

/** A volume ready for the TransUNet layout: axial (D, H, W) image in [0, 1] and uint8 labels. */
export interface PreparedVolume {
  image: NdArray<Float32Array>;
  label: NdArray<Uint8Array>;
}

/**
 * The per-case part of `levit-unet prepare`: reorders a NIfTI image/label pair (this package's
 * `[nk, nj, ni]` order) into an axial (D, H, W) stack using the affine (see `toAxialStack`), maps
 * intensities to [0, 1] (CT: clip to the window and scale, as TransUNet; MRI: per-volume percentiles)
 * and remaps or checks the labels. NaN/Inf, a shape mismatch or labels outside the range are `DataError`s.
 */
export function prepareVolume(
  image: NdArray & { affine: number[][] },
  label: NdArray,
  options: PrepareVolumeOptions = {},
  source?: string,
): PreparedVolume {
  checkSameShape(image, label, source);
  const stackedImage = toAxialStack(checkedImage(image, source), image.affine);
  const stackedLabel = toAxialStack(label, image.affine);
  const intensities =
    options.modality === 'mri'
      ? normalizeMri(stackedImage.data)
      : windowIntensities(stackedImage.data, options.window ?? TRANSUNET_CT_WINDOW);
  const labels = options.labelMap
    ? remapLabels(stackedLabel.data, options.labelMap, source)
    : Uint8Array.from(checkedLabels(stackedLabel, options.numClasses ?? 9, source).data);
  return { image: { data: intensities, shape: stackedImage.shape }, label: { data: labels, shape: stackedLabel.shape } };
}
