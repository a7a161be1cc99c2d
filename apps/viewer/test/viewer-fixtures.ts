/**
 * What the end-to-end test serves and compares against, made by the project itself: the official 128s
 * checkpoint imported and exported to ONNX by the `levit-unet` CLI, the CLI's own `predict --engine
 * onnxruntime` mask of the CT (the reference), a crop of the CT to a few slices (WebGPU on SwiftShader takes
 * over a minute per slice), and two ONNX models that the page must refuse (3 input channels, 5 classes).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { encodeNifti, parseNifti, type NiftiVolume } from '@levit-unet/datasets';
import { decodeOnnxModel, encodeOnnxModel } from '@levit-unet/onnx';

const run = promisify(execFile);
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = join(REPO_ROOT, 'packages', 'cli', 'bin', 'levit-unet.js');

async function cli(args: string[]): Promise<string> {
  const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { maxBuffer: 1 << 24 });
  return `${stdout}\n${stderr}`;
}

/** A `.nii` or `.nii.gz` file as a volume. */
export async function readNifti(path: string): Promise<NiftiVolume> {
  const bytes = new Uint8Array(await readFile(path));
  return parseNifti(bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes, path);
}

/** Voxels that differ between two label maps of one shape. */
export function countDiffering(a: NiftiVolume, b: NiftiVolume): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`label maps of shapes [${a.shape}] and [${b.shape}]`);
  let differing = 0;
  for (let p = 0; p < a.data.length; p++) if (a.data[p] !== b.data[p]) differing++;
  return differing;
}

/** Labelled voxels on each axial slice k of a `[nk, nj, ni]` label map. */
export function foregroundPerSlice(labels: NiftiVolume): number[] {
  const [nk, nj, ni] = labels.shape as [number, number, number];
  const counts = new Array<number>(nk).fill(0);
  for (let k = 0, p = 0; k < nk; k++) for (let q = 0; q < nj * ni; q++, p++) if (labels.data[p] !== 0) counts[k]!++;
  return counts;
}

/** Slices `[k0, k0 + count)` of a scan as a new NIfTI, its affine moved so every voxel keeps its place in the world. */
export function cropSlices(scan: NiftiVolume, k0: number, count: number): Uint8Array {
  const [, nj, ni] = scan.shape as [number, number, number];
  const plane = nj * ni;
  const affine = scan.affine.map((row) => [...row]);
  for (let r = 0; r < 3; r++) affine[r]![3] = scan.affine[r]![3]! + scan.affine[r]![2]! * k0;
  const data = scan.data.slice(k0 * plane, (k0 + count) * plane);
  return encodeNifti({ data, shape: [count, nj, ni], spacing: scan.spacing, affine }, { gzip: true });
}

/** The exported model with its input's channel axis, or its output's class axis, declared as `size`. */
function withDeclaredDim(model: Uint8Array, which: 'input' | 'output', axis: number, size: number): Uint8Array {
  const proto = decodeOnnxModel(model);
  const info = proto.graph[which][0]!;
  info.type.tensorType.shape.dim[axis] = { dimValue: size };
  return encodeOnnxModel(proto);
}

export interface ViewerFixtures {
  readonly dir: string;
  readonly scanPath: string;
  readonly modelPath: string;
  /** `levit-unet predict --engine onnxruntime` on the scan and the model directory the ONNX file was exported from. */
  readonly referenceMaskPath: string;
  /** onnxruntime-node's ms per slice, as predict printed it. */
  readonly nodeMsPerSlice: number;
  readonly croppedScanPath: string;
  readonly croppedFirstSlice: number;
  readonly threeChannelModelPath: string;
  readonly fiveClassModelPath: string;
  readonly notNiftiPath: string;
}

export async function makeViewerFixtures(scanPath: string, checkpointPath: string, cropCount: number): Promise<ViewerFixtures> {
  const dir = await mkdtemp(join(tmpdir(), 'levit-viewer-e2e-'));
  const modelDir = join(dir, 'model');
  const modelPath = join(dir, 'levit-unet-128s.onnx');
  const referenceMaskPath = join(dir, 'reference_mask.nii.gz');
  await cli(['import-torch', checkpointPath, '--variant', '128s', '--num-classes', '9', '--out', modelDir]);
  await cli(['export', '--model', modelDir, '--format', 'onnx', '--out', modelPath]);
  const predicted = await cli(['predict', '--model', modelDir, '--engine', 'onnxruntime', '--input', scanPath, '--out', referenceMaskPath]);
  const msMatch = /(\d+(?:\.\d+)?) ms\/slice/.exec(predicted);
  if (!msMatch) throw new Error(`levit-unet predict printed no ms/slice:\n${predicted}`);

  // The crop: the slices around the reference's most labelled one, so the overlay has something to show.
  const scan = await readNifti(scanPath);
  const perSlice = foregroundPerSlice(await readNifti(referenceMaskPath));
  const best = perSlice.indexOf(Math.max(...perSlice));
  const croppedFirstSlice = Math.max(0, Math.min(scan.shape[0]! - cropCount, best - Math.floor(cropCount / 2)));
  const croppedScanPath = join(dir, `ct_slices_${croppedFirstSlice}-${croppedFirstSlice + cropCount - 1}.nii.gz`);
  await writeFile(croppedScanPath, cropSlices(scan, croppedFirstSlice, cropCount));

  const model = new Uint8Array(await readFile(modelPath));
  const threeChannelModelPath = join(dir, 'three-channel-input.onnx');
  const fiveClassModelPath = join(dir, 'five-classes.onnx');
  await writeFile(threeChannelModelPath, withDeclaredDim(model, 'input', 1, 3));
  await writeFile(fiveClassModelPath, withDeclaredDim(model, 'output', 1, 5));
  const notNiftiPath = join(dir, 'notes.nii.gz');
  await writeFile(notNiftiPath, 'these are notes, not a scan\n'.repeat(40));
  return {
    dir,
    scanPath,
    modelPath,
    referenceMaskPath,
    nodeMsPerSlice: Number(msMatch[1]),
    croppedScanPath,
    croppedFirstSlice,
    threeChannelModelPath,
    fiveClassModelPath,
    notNiftiPath,
  };
}
