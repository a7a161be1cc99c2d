import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { encodeNpy, parseNpy } from '@levit-unet/datasets';
import { argmaxLabels, predictLogitsArray } from '@levit-unet/inference';
import { checkCohortPart, predictScans } from '@levit-unet/inference/node';
import { initBackend, loadModelDir } from '@levit-unet/levit-unet/node';
import { atomicWriteFile, canonicalPath, isSamePath } from '@levit-unet/safe-fs';
import { openEngine } from '../engine.js';
import { backendOption, batchSizeOption, engineOption, deviceOption, threadsOption, modelDirOption, parseInteger, parsePositiveInt, say } from '../options.js';
import { PredictionProgress } from '../prediction-progress.js';

/** `--window -125,275`: low and high HU, low < high. */
export function parseWindow(value: string): [number, number] {
  const parts = value.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p)) || !(parts[1]! > parts[0]!)) {
    throw new InvalidArgumentError(`--window must be two HU values low,high such as -125,275, got "${value}"`);
  }
  return parts as [number, number];
}

export function predictCommand() {
  return new Command('predict')
    .description(
      'segment scans: NIfTI volumes (.nii/.nii.gz, any in-plane size) or Synapse .npy.h5 volumes, a file or a folder, ' +
        "to label NIfTI with the input's affine and header (optional overlay PNGs); or a .npy batch of model-sized images to .npy",
    )
    .addOption(modelDirOption())
    .requiredOption('--input <path>', 'scan.nii.gz, a folder of scans, or images.npy ((n, 1, h, w) NCHW, or NHWC with --layout nhwc)')
    .requiredOption('--out <path>', 'mask.nii.gz or a folder (scans); y.npy (arrays)')
    .addOption(new Option('--modality <modality>', 'ct: clip to --window and scale to [0, 1]; mr: per-volume percentile normalisation').choices(['ct', 'mr'] as const).default('ct' as const))
    .option('--window <low,high>', "CT window in HU (default TransUNet's -125,275)", parseWindow)
    .option('--overlay <dir>', 'write overlay PNGs (image, coloured organs, legend) of slices with organs')
    .option('--logits', '.npy mode: write the logits (n, C, h, w) instead of argmax labels (n, h, w) uint8')
    .addOption(new Option('--layout <layout>', '.npy mode: array layout, nchw (PyTorch) or nhwc').choices(['nchw', 'nhwc'] as const).default('nchw' as const))
    .option('--num-parts <n>', 'split the scans (sorted by file name) into N parts, of which this process predicts --part-id', parsePositiveInt('--num-parts'), 1)
    .option('--part-id <k>', 'which part, 0..N-1 (e.g. $JOB_COMPLETION_INDEX of a Kubernetes Indexed Job)', parseInteger('--part-id'), 0)
    .option('--overwrite', 'predict scans whose output exists again (default: skip them)')
    .addOption(batchSizeOption(8))
    .addOption(engineOption())
    .addOption(deviceOption())
    .addOption(threadsOption())
    .addOption(backendOption())
    .action(async (options) => {
      // Symbolic links resolved: `--out link/scan.nii.gz` with `link` → the input's folder is the input too.
      if (isSamePath(options.out, options.input)) throw new Error(`--out ${options.out}: is the input ${options.input}; choose another path`);
      if (/\.npy$/i.test(options.input)) {
        await initBackend(options.backend);
        const input = parseNpy(await readFile(options.input), options.input);
        if (!(input.data instanceof Float32Array)) throw new Error(`${options.input}: expected float32 data, got ${input.data.constructor.name}`);
        const model = await loadModelDir(options.model);
        try {
          const logits = await predictLogitsArray(model, { data: input.data, shape: input.shape }, { layout: options.layout, batchSize: options.batchSize, source: options.input });
          const result = options.logits ? logits : argmaxLabels(logits, options.layout);
          await atomicWriteFile(options.out, encodeNpy(result));
          say(`${options.out}: ${options.logits ? 'logits' : 'labels'} (${result.shape.join(', ')})`);
        } finally {
          model.dispose();
        }
        return;
      }
      checkCohortPart({ numParts: options.numParts, partId: options.partId }); // before the engine starts
      const engine = await openEngine(options.model, { backend: options.backend, engine: options.engine, threads: options.threads, ...(options.device ? { device: options.device } : {}) });
      // Printed as the user spelled --out (predictScans sees its canonical path).
      const canonicalOut = canonicalPath(options.out);
      const shown = (output: string): string => (output.startsWith(canonicalOut) ? options.out + output.slice(canonicalOut.length) : output);
      const progress = new PredictionProgress(process.stderr);
      let summary;
      try {
        summary = await predictScans(engine, {
          // Canonical paths, so that predictScans' output-is-an-input check sees through symlinked folders.
          inputs: canonicalPath(options.input),
          out: canonicalOut,
          modality: options.modality,
          batchSize: options.batchSize,
          numParts: options.numParts,
          partId: options.partId,
          overwrite: options.overwrite ?? false,
          ...(options.window ? { window: options.window } : {}),
          ...(options.overlay ? { overlayDir: options.overlay } : {}),
          onProgress: (p) => progress.update(p),
          onScan: (o, done, total) => {
            const line =
              o.status === 'predicted'
                ? `${shown(o.output)}: labels (${o.shape.join(', ')}), ${o.msPerSlice.toFixed(0)} ms/slice${o.overlays.length ? `, ${o.overlays.length} overlays` : ''}`
                : o.status === 'skipped'
                  ? `${shown(o.output)}: exists, skipped (--overwrite to predict again)`
                  : `${o.input}: failed: ${o.reason}`;
            progress.scanDone(line, done, total);
          },
        });
      } finally {
        progress.stop();
        await engine.dispose();
      }
      const { predicted, skipped, failed, outcomes } = summary;
      const part = summary.numParts > 1 ? `part ${summary.partId} of ${summary.numParts}: ` : '';
      say(`${part}${outcomes.length} scans in ${summary.seconds.toFixed(1)} s: ${predicted.length} predicted, ${skipped.length} skipped (output exists), ${failed.length} failed`);
      for (const f of failed) say(`  failed: ${f.input}: ${f.reason}`);
      // Exit non-zero after every other scan of the part has run.
      if (failed.length === 1) throw new Error(`${failed[0]!.input}: ${failed[0]!.reason}`);
      if (failed.length > 1) throw new Error(`${failed.length} of ${outcomes.length} scans failed (listed above); the first: ${failed[0]!.input}: ${failed[0]!.reason}`);
    });
}
