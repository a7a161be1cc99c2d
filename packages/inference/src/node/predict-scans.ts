import { access, readdir, mkdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  ACDC_DISPLAY_NAMES,
  SYNAPSE_DISPLAY_NAMES,
  TRANSUNET_CT_WINDOW,
  axialPermutation,
  checkedImage,
  checkRank,
  fromAxialStack,
  normalizeMri,
  parseH5,
  toAxialStack,
  windowIntensities,
  type NdArray,
  type NiftiHeader,
} from '@levit-unet/datasets';
import { readBytes, readNifti, writeNifti, writePng } from '@levit-unet/datasets/node';
import { renderOverlayFigure } from '../overlay-figure.js';
import { predictVolumeLabels } from '../predict-volume-labels.js';
import type { SegmentationEngine } from '../segmentation-engine.js';
import { cohortPartIndices } from './cohort-part.js';
import { refuseOverwritingInputs, volumeStem } from './output-paths.js';

/** Where the prediction of one scan is: which scan, and its slices done. */
export interface ScanProgress {
  readonly input: string;
  /** The scan's position among this part's scans (0-based). */
  readonly fileIndex: number;
  /** Scans in this part. */
  readonly files: number;
  readonly slicesDone: number;
  readonly slicesTotal: number;
}

/** Options of `predictScans`: the scans, where their label maps go, which part of the cohort, overwriting. */
export interface PredictScansOptions {
  /** A scan (.nii, .nii.gz, or a Synapse .npy.h5 test volume) or a folder of them, or several. */
  inputs: string | readonly string[];
  /** A label file (`.nii` / `.nii.gz`, one input only) or a folder (`<stem>.nii.gz` per input). */
  out: string;
  /** 'ct' (default): clip to `window` and scale to [0, 1]; 'mr': per-volume percentile normalisation (as training). */
  modality?: 'ct' | 'mr';
  /** CT window in HU (default TransUNet's [-125, 275]). */
  window?: readonly [number, number];
  /** Folder for overlay PNGs, `<stem>/slice_NNN.png`: image, coloured masks and a legend. */
  overlayDir?: string;
  /** Which slices get an overlay: those with any predicted organ (default) or all. */
  overlaySlices?: 'foreground' | 'all';
  /** Legend names indexed by label value (default Synapse's for 9 classes, ACDC's for 4, else `class <id>`). */
  classNames?: readonly string[];
  /** Slices per engine call (default 8). */
  batchSize?: number;
  /**
   * Split the scans (in input order, each folder's sorted by file name) into this many parts, of which this
   * call predicts `partId`: N processes or machines with part ids 0..N−1 cover the cohort exactly once
   * (default 1).
   */
  numParts?: number;
  /** Which part, 0..numParts−1 (default 0). */
  partId?: number;
  /** Predict scans whose output file exists again (default false: skip them, so a rerun finishes an interrupted cohort; outputs are written atomically, so one that exists is whole). */
  overwrite?: boolean;
  /** Called after each batch of slices of a scan (a progress bar). */
  onProgress?: (progress: ScanProgress) => void;
  /** Called as each scan of the part is predicted, skipped or has failed. */
  onScan?: (outcome: ScanOutcome, done: number, total: number) => void;
}

/** One predicted scan: its input, its written label map and their shapes. */
export interface ScanPrediction {
  readonly input: string;
  readonly output: string;
  /** Shape of the written label map (the input's array shape). */
  readonly shape: readonly number[];
  /** Predicted voxels per class. */
  readonly classVoxels: readonly number[];
  readonly overlays: readonly string[];
  readonly msPerSlice: number;
}

/** What became of one scan: its prediction, skipped (its output exists), or failed with a one-line reason. */
export type ScanOutcome =
  | ({ readonly status: 'predicted' } & ScanPrediction)
  | { readonly status: 'skipped'; readonly input: string; readonly output: string }
  | { readonly status: 'failed'; readonly input: string; readonly output: string; readonly reason: string };

type OutcomeOf<S extends ScanOutcome['status']> = Extract<ScanOutcome, { status: S }>;

/** What `predictScans` did with this part's scans: predicted, skipped, failed (with reasons), and how long it took. */
export interface PredictScansSummary {
  readonly numParts: number;
  readonly partId: number;
  /** This part's scans, in order, each with what became of it. */
  readonly outcomes: readonly ScanOutcome[];
  readonly predicted: ReadonlyArray<OutcomeOf<'predicted'>>;
  readonly skipped: ReadonlyArray<OutcomeOf<'skipped'>>;
  readonly failed: ReadonlyArray<OutcomeOf<'failed'>>;
  /** Wall-clock time of the part. */
  readonly seconds: number;
}

// NIfTI-1 pairs are listed by their header (.hdr); readNifti finds the .img beside it.
const SCAN = /\.(nii|hdr)(\.gz)?$|\.h5$/i;
const NIFTI = /\.(nii|hdr)(\.gz)?$/i;

async function scanFiles(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (!info) throw new Error(`${input}: no such file or folder`);
    if (!info.isDirectory()) {
      if (!SCAN.test(input)) throw new Error(`${input}: expected a .nii, .nii.gz, .hdr (+ .img) or .npy.h5 scan`);
      files.push(input);
      continue;
    }
    const names = (await readdir(input)).filter((n) => SCAN.test(n) && !n.startsWith('.')).sort();
    if (names.length === 0) throw new Error(`${input}: folder holds no .nii, .nii.gz, .hdr or .npy.h5 scans`);
    files.push(...names.map((n) => join(input, n)));
  }
  return files;
}

/** A scan as the network's (D, H, W) input in [0, 1], and how to put a prediction back on its grid. */
interface LoadedScan {
  image: NdArray<Float32Array>;
  nifti?: { header: NiftiHeader; affine: number[][] };
}

async function loadScan(path: string, options: PredictScansOptions): Promise<LoadedScan> {
  if (!NIFTI.test(path)) {
    // A Synapse test volume: `image` is already (D, H, W) in [0, 1] (the layout's preprocessing).
    const { image } = await parseH5(await readBytes(path), { source: path, datasets: ['image'] });
    checkRank(image!, 3, 'image', path);
    return { image: checkedImage(image!, path) };
  }
  const volume = await readNifti(path);
  if (volume.shape.length !== 3) throw new Error(`${path}: expected a 3-D scan, got shape [${volume.shape.join(', ')}]`);
  // prepareVolume's image half: axial (D, H, W) stack from the affine, then the CT window or MRI normalisation.
  const stack = toAxialStack(checkedImage(volume, path), volume.affine);
  const data = options.modality === 'mr' ? normalizeMri(stack.data) : windowIntensities(stack.data, options.window ?? TRANSUNET_CT_WINDOW);
  return { image: { data, shape: stack.shape }, nifti: { header: volume.header, affine: volume.affine } };
}

/**
 * Mirrors for display so that overlays look like the papers' figures (radiological view: anterior at the top,
 * the patient's right on the left), from the affine's row and column directions; none for .npy.h5 volumes.
 */
function displayFlips(affine: number[][] | undefined): { flipRows: boolean; flipColumns: boolean } {
  if (!affine) return { flipRows: false, flipColumns: false };
  const [, rows, cols] = axialPermutation(affine).map((axis) => 2 - axis) as [number, number, number];
  // RAS+ world: +y is anterior, +x is the patient's right. Row 0 should be the most anterior, column 0 the
  // patient's rightmost: mirror an axis whose index runs toward anterior (rows) or toward the right (columns).
  return { flipRows: affine[1]![rows]! > 0, flipColumns: affine[0]![cols]! > 0 };
}

function legendNames(engine: SegmentationEngine, names: readonly string[] | undefined): readonly string[] {
  if (names) return names;
  if (engine.numClasses === SYNAPSE_DISPLAY_NAMES.length) return SYNAPSE_DISPLAY_NAMES;
  if (engine.numClasses === ACDC_DISPLAY_NAMES.length) return ACDC_DISPLAY_NAMES;
  return Array.from({ length: engine.numClasses }, (_, c) => `class ${c}`);
}

async function writeOverlays(dir: string, scan: LoadedScan, labels: NdArray<Uint8Array>, names: readonly string[], options: PredictScansOptions): Promise<string[]> {
  const [d, h, w] = labels.shape as [number, number, number];
  const flips = displayFlips(scan.nifti?.affine);
  const written: string[] = [];
  await mkdir(dir, { recursive: true });
  for (let z = 0; z < d; z++) {
    const mask = labels.data.subarray(z * h * w, (z + 1) * h * w);
    if (options.overlaySlices !== 'all' && !mask.some((v) => v > 0)) continue;
    const image = scan.image.data.subarray(z * h * w, (z + 1) * h * w);
    const path = join(dir, `slice_${String(z).padStart(3, '0')}.png`);
    await writePng(path, renderOverlayFigure(image, mask, w, h, { classNames: names, ...flips }));
    written.push(path);
  }
  return written;
}

/** The first line of an error's message without a leading `<input>: ` (the summary names the input). */
function failureReason(error: unknown, input: string): string {
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  return line.startsWith(`${input}: `) ? line.slice(input.length + 2) : line;
}

async function predictScan(engine: SegmentationEngine, input: string, output: string, names: readonly string[], options: PredictScansOptions, progress: (done: number, total: number) => void): Promise<ScanPrediction> {
  const scan = await loadScan(input, options);
  const started = performance.now();
  const labels = await predictVolumeLabels(engine, scan.image, {
    source: input,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    onProgress: progress,
  });
  const msPerSlice = (performance.now() - started) / scan.image.shape[0]!;
  const stored = scan.nifti ? fromAxialStack(labels, scan.nifti.affine) : labels;
  await writeNifti(output, { data: stored.data, shape: stored.shape }, scan.nifti ? { like: scan.nifti.header } : {});
  const classVoxels = new Array<number>(engine.numClasses).fill(0);
  for (const v of labels.data) classVoxels[v]!++;
  const overlays = options.overlayDir ? await writeOverlays(join(options.overlayDir, volumeStem(basename(input))), scan, labels, names, options) : [];
  return { input, output, shape: stored.shape, classVoxels, overlays, msPerSlice };
}

/**
 * Segments scans of any in-plane size with TransUNet's test-time procedure (`predictVolumeLabels`), after the
 * training preprocessing (axial stack, CT window or MRI normalisation), and writes each label map as uint8 NIfTI
 * on the input's grid with its header (qform/sform, pixdim) kept; optionally overlay PNGs. With `numParts` it
 * predicts one part of the cohort. A scan that cannot be read or predicted is a failure with a one-line reason
 * in the summary and the others still run; missing inputs, an output path equal to an input path and two scans
 * with one output are refused before anything runs.
 */
export async function predictScans(engine: SegmentationEngine, options: PredictScansOptions): Promise<PredictScansSummary> {
  const started = performance.now();
  const part = { numParts: options.numParts ?? 1, partId: options.partId ?? 0 };
  const files = await scanFiles(typeof options.inputs === 'string' ? [options.inputs] : options.inputs);
  const toFile = NIFTI.test(options.out) && !(await stat(options.out).catch(() => null))?.isDirectory();
  if (toFile && files.length !== 1) throw new Error(`${options.out}: ${files.length} scans need an output folder, not a file`);
  const outputs = files.map((file) => (toFile ? options.out : join(options.out, `${volumeStem(basename(file))}.nii.gz`)));
  // Checked over the whole cohort, so every part refuses the same arguments.
  outputs.forEach((output) => refuseOverwritingInputs(output, files));
  const clash = outputs.findIndex((output, k) => outputs.indexOf(output) !== k);
  if (clash >= 0) throw new Error(`${files[outputs.indexOf(outputs[clash]!)]} and ${files[clash]} would both be written to ${outputs[clash]}`);
  const mine = cohortPartIndices(files.length, part);
  const names = legendNames(engine, options.classNames);
  const outcomes: ScanOutcome[] = [];
  for (const [fileIndex, k] of mine.entries()) {
    const [input, output] = [files[k]!, outputs[k]!];
    let outcome: ScanOutcome;
    if (!options.overwrite && (await access(output).then(() => true, () => false))) {
      outcome = { status: 'skipped', input, output };
    } else {
      const progress = (done: number, total: number) => options.onProgress?.({ input, fileIndex, files: mine.length, slicesDone: done, slicesTotal: total });
      try {
        outcome = { status: 'predicted', ...(await predictScan(engine, input, output, names, options, progress)) };
      } catch (error) {
        outcome = { status: 'failed', input, output, reason: failureReason(error, input) };
      }
    }
    outcomes.push(outcome);
    options.onScan?.(outcome, fileIndex + 1, mine.length);
  }
  const withStatus = <S extends ScanOutcome['status']>(status: S) => outcomes.filter((o): o is OutcomeOf<S> => o.status === status);
  return {
    ...part,
    outcomes,
    predicted: withStatus('predicted'),
    skipped: withStatus('skipped'),
    failed: withStatus('failed'),
    seconds: (performance.now() - started) / 1000,
  };
}
