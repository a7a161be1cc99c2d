import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { atomicWriteFile, recoverDir, replaceDir, resolveInside } from '@levit-unet/safe-fs';
import '@levit-unet/levit-blocks';
import '@levit-unet/unet-decoder';
import { getLeViTUNetConfig } from '../model/levit-unet-model.js';

/** The topology file of a model directory (tfjs `model.json`). */
export const MODEL_JSON = 'model.json';
/** The weights file of a model directory, named by `model.json`'s weights manifest. */
export const WEIGHTS_BIN = 'weights.bin';

/** Options of `saveModelDir`. */
export interface SaveModelDirOptions {
  /** Replace an existing model directory (`--force`). A non-empty folder without `model.json` is never replaced. */
  force?: boolean;
}

/** Whether `dir` holds a model directory (a `model.json`): the only non-empty folder a save may replace. */
export function isModelDir(dir: string): boolean {
  return existsSync(join(dir, MODEL_JSON));
}

/**
 * A tfjs IO handler for a model directory (`model.json` + `weights.bin`, the layout tfjs-node's
 * `file://` handler writes, so either can read the other's). Saving replaces the directory atomically
 * (`replaceDir`): into a missing or empty folder, over a model directory only with `force`, never over
 * other files. Loading first finishes a save a killed process left, and reads weight files only inside
 * the directory (a manifest path with `..`, an absolute path or an outward symlink is refused).
 */
export function modelDirIO(dir: string, options: SaveModelDirOptions = {}): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('model directories hold layers models (JSON topology) only');
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      const modelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await replaceDir(
        dir,
        async (tmp) => {
          await atomicWriteFile(join(tmp, WEIGHTS_BIN), new Uint8Array(weightData));
          await atomicWriteFile(join(tmp, MODEL_JSON), JSON.stringify(modelJSON));
        },
        { force: options.force ?? false, isReplaceable: isModelDir, what: 'model directory' },
      );
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = join(dir, MODEL_JSON);
      // Finishes a save that a killed process left; a read-only folder with leftovers still loads.
      await recoverDir(dir).catch(() => undefined);
      let modelJSON: tf.io.ModelJSON;
      try {
        modelJSON = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(
          code === 'ENOENT' ? `${jsonPath} not found: not a model directory` : `${jsonPath} is not valid JSON (${(error as Error).message})`,
        );
      }
      if (modelJSON == null || typeof modelJSON !== 'object' || modelJSON.modelTopology == null || !Array.isArray(modelJSON.weightsManifest)) {
        throw new Error(`${jsonPath}: expected fields "modelTopology" and "weightsManifest"`);
      }
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers: ArrayBuffer[] = [];
        for (const path of manifest.flatMap((group) => group.paths)) {
          const weightsPath = await resolveInside(dir, path, `${jsonPath}: weightsManifest path`);
          const bytes = await readFile(weightsPath).catch(() => {
            throw new Error(`${weightsPath} (listed in ${jsonPath}) cannot be read`);
          });
          buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
        }
        const data = tf.io.CompositeArrayBuffer.join(buffers);
        const expected = specs.reduce(
          (sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * bytesPerElement(s.quantization?.dtype ?? s.dtype),
          0,
        );
        if (data.byteLength !== expected) {
          throw new Error(`${dir}: the weight files hold ${data.byteLength} bytes but ${MODEL_JSON} describes ${expected}`);
        }
        return [specs, data];
      });
    },
  };
}

function bytesPerElement(dtype: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'bool' || dtype === 'uint8') return 1;
  if (dtype === 'float16' || dtype === 'uint16' || dtype === 'int16') return 2;
  throw new Error(`unsupported weight dtype ${dtype}`);
}

/**
 * Saves any layers model to `dir` (atomic). Refuses a non-empty folder that is not a model directory,
 * and an existing model directory unless `force`.
 */
export async function saveModelDir(model: LayersModel, dir: string, options: SaveModelDirOptions = {}): Promise<void> {
  await model.save(modelDirIO(dir, options));
}

/** Loads a layers model saved with `saveModelDir` (or tfjs-node's `file://`). */
export async function loadModelDir(dir: string): Promise<LayersModel> {
  try {
    return await loadLayersModel(modelDirIO(dir));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Our own errors already name the folder; tfjs-layers' (a damaged model.json) do not, and span several lines.
    if (message.includes(dir)) throw error;
    // A TypeError is tfjs tripping over a missing or mistyped field: its text says nothing about the file.
    const first = error instanceof TypeError ? 'a field is missing or has the wrong type' : (message.split('\n').find((line) => line.trim().length > 0)?.trim() ?? 'unreadable');
    throw new Error(`${join(dir, MODEL_JSON)}: not a loadable tfjs model (${first})`, { cause: error });
  }
}

/** Loads a LeViT-UNet model directory; fails clearly if the directory holds another model. */
export async function loadLeViTUNet(dir: string): Promise<LayersModel> {
  const model = await loadModelDir(dir);
  try {
    getLeViTUNetConfig(model);
  } catch (error) {
    model.dispose();
    throw new Error(`${dir}: ${(error as Error).message}`);
  }
  return model;
}
