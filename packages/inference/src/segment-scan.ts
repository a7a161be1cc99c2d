import {
  TRANSUNET_CT_WINDOW,
  checkedImage,
  encodeNifti,
  fromAxialStack,
  normalizeMri,
  toAxialStack,
  windowIntensities,
  type NdArray,
  type NiftiVolume,
} from '@levit-unet/datasets';
import { predictVolumeLabels, type PredictVolumeOptions } from './predict-volume-labels.js';
import type { SegmentationEngine } from './segmentation-engine.js';

/** 'ct': clip to a HU window and scale to [0, 1]; 'mr': per-volume percentile normalisation (as training). */
export type ScanModality = 'ct' | 'mr';

/** How a scan becomes the network's input: modality and intensity window. */
export interface ScanInputOptions {
  /** Default 'ct'. */
  modality?: ScanModality;
  /** CT window in HU (default TransUNet's [-125, 275]). */
  window?: readonly [number, number];
}

/**
 * A 3-D NIfTI scan as the network's input, the image half of the training preprocessing (`prepareVolume`):
 * the axial (D, H, W) stack from the affine (`toAxialStack`), then the CT window or the MRI normalisation,
 * in [0, 1]. A scan that is not 3-D, or holds NaN/Inf, is one line naming `source`.
 */
export function scanToNetworkInput(volume: NiftiVolume, options: ScanInputOptions = {}, source = 'scan'): NdArray<Float32Array> {
  if (volume.shape.length !== 3) throw new Error(`${source}: expected a 3-D scan, got shape [${volume.shape.join(', ')}]`);
  const stack = toAxialStack(checkedImage(volume, source), volume.affine);
  const data = options.modality === 'mr' ? normalizeMri(stack.data) : windowIntensities(stack.data, options.window ?? TRANSUNET_CT_WINDOW);
  return { data, shape: stack.shape };
}

/** Voxels per label value 0..numClasses−1. */
export function countClassVoxels(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts;
}

/** Millilitres per class from voxel counts and the voxel spacing in mm (1 mL = 1000 mm³). */
export function classVolumesMl(classVoxels: readonly number[], spacingMm: readonly number[]): number[] {
  const voxelMl = spacingMm.reduce((v, s) => v * s, 1) / 1000;
  return classVoxels.map((n) => n * voxelMl);
}

/** Options of `segmentScan`: preparing the scan, and predicting it. */
export type SegmentScanOptions = ScanInputOptions & PredictVolumeOptions;

/** What `segmentScan` returns: the network input, its labels (on the axial stack and in the scan's array order), class voxel counts and timing. */
export interface ScanSegmentation {
  /** The network's input: the axial (D, H, W) stack in [0, 1] (`scanToNetworkInput`). */
  readonly image: NdArray<Float32Array>;
  /** The labels on that axial stack (D, H, W). */
  readonly axialLabels: NdArray<Uint8Array>;
  /** The labels on the scan's own grid, in its array order (`[nk, nj, ni]`, as `NiftiVolume`). */
  readonly labels: NdArray<Uint8Array>;
  /** Predicted voxels per class. */
  readonly classVoxels: readonly number[];
  /** Wall time of the prediction (resizing, the engine, argmax) per axial slice. */
  readonly msPerSlice: number;
}

/**
 * Segments a NIfTI scan as `levit-unet predict` does: the training preprocessing (`scanToNetworkInput`), then
 * TransUNet's test-time procedure slice by slice (`predictVolumeLabels`: order-3 resize to the engine's size,
 * argmax, order-0 resize back), and the labels back on the scan's grid (`fromAxialStack`). Browser-safe: the
 * file reading and writing is the caller's (`predictScans` in `./node`, or a page). `encodeScanLabels` turns the
 * result into a NIfTI with the scan's header and affine.
 */
export async function segmentScan(engine: SegmentationEngine, volume: NiftiVolume, options: SegmentScanOptions = {}): Promise<ScanSegmentation> {
  const source = options.source ?? 'scan';
  const image = scanToNetworkInput(volume, options, source);
  const started = performance.now();
  const axialLabels = await predictVolumeLabels(engine, image, options);
  const msPerSlice = (performance.now() - started) / image.shape[0]!;
  const labels = fromAxialStack(axialLabels, volume.affine);
  return { image, axialLabels, labels, classVoxels: countClassVoxels(axialLabels.data, engine.numClasses), msPerSlice };
}

/**
 * A label map on a scan's grid as NIfTI bytes (uint8) that keep the scan's header: its qform/sform (the
 * affine), pixdim and units, so the mask overlays the scan in any viewer. `gzip` for `.nii.gz`.
 */
export function encodeScanLabels(labels: NdArray<Uint8Array>, scan: Pick<NiftiVolume, 'header'>, options: { gzip?: boolean } = {}): Uint8Array {
  return encodeNifti({ data: labels.data, shape: labels.shape }, { like: scan.header, ...(options.gzip ? { gzip: true } : {}) });
}
