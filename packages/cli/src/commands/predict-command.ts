import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { encodeNpy, parseNpy } from '@levit-unet/datasets';
import { argmaxLabels, predictLogitsArray } from '@levit-unet/inference';
import { predictScans } from '@levit-unet/inference/node';
import { initBackend, loadModelDir } from '@levit-unet/levit-unet/node';
import { atomicWriteFile, canonicalPath, isSamePath } from '@levit-unet/safe-fs';
import { openEngine } from '../engine.js';
import { backendOption, batchSizeOption, engineOption, deviceOption, threadsOption, modelDirOption, say } from '../options.js';

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
      const engine = await openEngine(options.model, { backend: options.backend, engine: options.engine, threads: options.threads, ...(options.device ? { device: options.device } : {}) });
      try {
        const results = await predictScans(engine, {
          // Canonical paths, so that predictScans' output-is-an-input check sees through symlinked folders.
          inputs: canonicalPath(options.input),
          out: canonicalPath(options.out),
          modality: options.modality,
          batchSize: options.batchSize,
          ...(options.window ? { window: options.window } : {}),
          ...(options.overlay ? { overlayDir: options.overlay } : {}),
          onProgress: (p) => process.stderr.write(`\r${p.input}: ${p.slicesDone}/${p.slicesTotal} slices (file ${p.fileIndex + 1}/${p.files})   `),
        });
        process.stderr.write('\n');
        // Printed as the user spelled --out (predictScans saw its canonical path).
        const canonicalOut = canonicalPath(options.out);
        const shown = (output: string): string => (output.startsWith(canonicalOut) ? options.out + output.slice(canonicalOut.length) : output);
        for (const r of results) say(`${shown(r.output)}: labels (${r.shape.join(', ')}), ${r.msPerSlice.toFixed(0)} ms/slice${r.overlays.length ? `, ${r.overlays.length} overlays` : ''}`);
      } finally {
        await engine.dispose();
      }
    });
}
