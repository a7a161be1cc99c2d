import { join } from 'node:path';
import { SYNAPSE_DISPLAY_NAMES, type NdArray } from '@levit-unet/datasets';
import { drawText } from '@levit-unet/raster';
import { readDatasetCases, writePng, writeSyntheticSynapse } from '@levit-unet/datasets/node';
import { argmaxLabels, renderOverlayFigure, sideBySide } from '@levit-unet/inference';
import { evaluateToFolder } from '@levit-unet/inference/node';
import { createLeViTUNet, type LeViTUNetVariant } from '@levit-unet/levit-unet';
import { initBackend } from '@levit-unet/levit-unet/node';
import { atomicWriteFile } from '@levit-unet/safe-fs';
import { train, type TrainProgress } from '@levit-unet/training/node';
import { engineForModel, trainingEngine, type EngineChoice } from './engine.js';

/**
 * The demo's recipe, chosen so the whole job fits in 15 minutes on a 2-core laptop CPU with the default
 * (wasm, one thread) backend: phantoms at a small in-plane size trained at that size, no augmentation
 * (flips would swap the phantom's mirror-image kidneys), Adam at 1e-3 (the paper's 1e-5 suits 350 epochs
 * of real data, not a few minutes).
 */
export const DEMO_RECIPE = {
  variant: '128s' as LeViTUNetVariant,
  /** Phantom in-plane size = training resolution (no resizing loss in evaluation). */
  imgSize: 96,
  /** Axial slices per phantom volume. */
  depth: 24,
  trainCases: 6,
  testCases: 2,
  batchSize: 8,
  // 5 epochs of the 144 slices: about 1.3 s per iteration on onnxruntime (4–7 s on tfjs wasm) on 2 threads here.
  steps: 90,
  lr: 1e-3,
  weightDecay: 1e-4,
  seed: 0,
};

/** Options of `runDemo`: where it writes, the engine and backend, and the recipe's overrides. */
export interface DemoOptions {
  outDir: string;
  backend?: string;
  /** Engine for the evaluation (default onnxruntime when available, else tfjs). */
  engine?: EngineChoice;
  threads?: number;
  /** Override parts of the recipe (tests use a tiny one). */
  recipe?: Partial<typeof DEMO_RECIPE>;
  /** Receives the demo's progress lines (default: none). */
  log?: (line: string) => void;
  /** Called after every training iteration (the CLI's progress bar). */
  onProgress?: (progress: TrainProgress) => void;
  signal?: AbortSignal;
}

/** What the demo measured (mean Dice and HD95, per-class Dice, timings) and the files it wrote. */
export interface DemoResult {
  backend: string;
  engine: string;
  recipe: typeof DEMO_RECIPE;
  meanDice: number;
  meanHd95: number;
  perClassDice: Record<string, number>;
  seconds: { data: number; train: number; evaluate: number; total: number };
  secondsPerIteration: number;
  files: { data: string; run: string; evaluation: string; overlays: string[] };
}

/** The slices of a case that show the most organs, in order (for the overlay figures). */
function busiestSlices(label: NdArray, count: number): number[] {
  const [d, h, w] = label.shape as [number, number, number];
  const organs = Array.from({ length: d }, (_, z) => new Set(Array.from(label.data.subarray(z * h * w, (z + 1) * h * w) as ArrayLike<number>)).size);
  return Array.from({ length: d }, (_, z) => z)
    .sort((a, b) => organs[b]! - organs[a]! || a - b)
    .slice(0, count)
    .sort((a, b) => a - b);
}

/**
 * The main job end to end: generate a synthetic abdominal-CT dataset in TransUNet's Synapse layout,
 * train LeViT-UNet on it with TransUNet's loss and a PyTorch Adam, evaluate the held-out volumes with
 * TransUNet's protocol, and write the report: `data/`, `run/` (log, curves, model), `evaluation/metrics.*`,
 * `overlays/*.png` ([ground truth | prediction] of test slices), `summary.json`.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? (() => {});
  const recipe = { ...DEMO_RECIPE, ...options.recipe };
  const started = performance.now();
  const { backend } = await initBackend(options.backend, { threads: options.threads });
  const dataDir = join(options.outDir, 'data');
  const runDir = join(options.outDir, 'run');
  const evalDir = join(options.outDir, 'evaluation');
  const overlayDir = join(options.outDir, 'overlays');

  log(`backend ${backend}; LeViT-UNet-${recipe.variant} at ${recipe.imgSize}×${recipe.imgSize}, batch ${recipe.batchSize}, ${recipe.steps} iterations, Adam lr ${recipe.lr}`);
  const { trainSlices, testCases } = await writeSyntheticSynapse(dataDir, {
    trainCases: recipe.trainCases,
    testCases: recipe.testCases,
    shape: [recipe.depth, recipe.imgSize, recipe.imgSize],
    seed: recipe.seed,
  });
  const dataSeconds = (performance.now() - started) / 1000;
  log(`1/3 data: ${trainSlices.length} training slices from ${recipe.trainCases} phantoms, ${testCases.length} test volumes → ${dataDir}`);

  const trainStart = performance.now();
  // The engine that trains is the one that evaluates: onnxruntime by default where it loads.
  const trainer = await trainingEngine(options.engine, { ...(options.threads ? { threads: options.threads } : {}), seed: recipe.seed });
  log(`training engine: ${trainer.name} (${trainer.device})`);
  const trained = await train({
    engine: trainer.factory,
    runDir,
    overwrite: true,
    // Seeded initial weights: the same recipe and seed give the same run (per engine, backend and threads).
    model: () => createLeViTUNet({ variant: recipe.variant, numClasses: 9, imgSize: recipe.imgSize, seed: recipe.seed }),
    data: { kind: 'synapse', root: dataDir, augment: false, imgSize: recipe.imgSize, workers: 0 },
    numClasses: 9,
    optimizer: { name: 'adam', weightDecay: recipe.weightDecay },
    lr: recipe.lr,
    schedule: 'constant',
    batchSize: recipe.batchSize,
    maxSteps: recipe.steps,
    seed: recipe.seed,
    extraConfig: { variant: recipe.variant, demo: recipe },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const trainSeconds = (performance.now() - trainStart) / 1000;
  log(`2/3 trained ${trained.iterations} iterations in ${trainSeconds.toFixed(0)} s (${(trainSeconds / Math.max(1, trained.iterations)).toFixed(2)} s/iteration), last loss ${trained.lastLoss?.toFixed(4)} → ${runDir}`);

  const evalStart = performance.now();
  const engine = await engineForModel(trained.model, { ...(options.engine ? { engine: options.engine } : {}), ...(options.threads ? { threads: options.threads } : {}) });
  const overlays: string[] = [];
  let result;
  try {
    result = await evaluateToFolder(engine, { dataRoot: dataDir, dataset: 'synapse', out: evalDir });
    const set = await readDatasetCases({ dataRoot: dataDir, dataset: 'synapse', split: 'test', numClasses: 9 });
    for await (const c of set.cases) {
      const [, h, w] = c.image.shape as [number, number, number];
      const slices = busiestSlices(c.label, 2);
      // The phantoms are made at the network's size, so the chosen slices go to the engine as they are.
      const images = new Float32Array(slices.length * h * w);
      slices.forEach((z, i) => images.set(c.image.data.subarray(z * h * w, (z + 1) * h * w), i * h * w));
      const logits = await engine.predictLogits(images, slices.length);
      const predicted = argmaxLabels({ data: logits, shape: [slices.length, h, w, engine.numClasses] }, 'nhwc');
      for (const [i, z] of slices.entries()) {
        const slice = images.subarray(i * h * w, (i + 1) * h * w);
        const figure = (labels: ArrayLike<number>, title: string) => {
          const image = renderOverlayFigure(slice, labels, w, h, { classNames: SYNAPSE_DISPLAY_NAMES });
          drawText(image, title, 4, 4, [255, 255, 255]);
          return image;
        };
        const truth = c.label.data.subarray(z * h * w, (z + 1) * h * w) as ArrayLike<number>;
        const path = join(overlayDir, `${c.name}_slice${String(z).padStart(3, '0')}.png`);
        await writePng(path, sideBySide([figure(truth, 'ground truth'), figure(predicted.data.subarray(i * h * w, (i + 1) * h * w), 'LeViT-UNet-128s')]));
        overlays.push(path);
      }
    }
  } finally {
    await engine.dispose();
  }
  const evalSeconds = (performance.now() - evalStart) / 1000;
  const { evaluation } = result;
  const perClassDice = Object.fromEntries(evaluation.perClass.map((c) => [c.displayName, c.dice]));
  log(`3/3 evaluated ${evaluation.cases.length} test volumes (${engine.name}) in ${evalSeconds.toFixed(0)} s: mean DSC ${(100 * evaluation.mean.dice).toFixed(2)} %, HD95 ${evaluation.mean.hd95.toFixed(2)} voxels`);
  log(`    ${Object.entries(perClassDice).map(([k, v]) => `${k} ${(100 * v).toFixed(1)}`).join(' · ')}`);
  const total = (performance.now() - started) / 1000;
  const summary: DemoResult = {
    backend,
    engine: engine.name,
    recipe,
    meanDice: evaluation.mean.dice,
    meanHd95: evaluation.mean.hd95,
    perClassDice,
    seconds: { data: dataSeconds, train: trainSeconds, evaluate: evalSeconds, total },
    secondsPerIteration: trainSeconds / Math.max(1, trained.iterations),
    files: { data: dataDir, run: runDir, evaluation: evalDir, overlays },
  };
  await atomicWriteFile(join(options.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(`report: ${join(evalDir, 'metrics.md')} · curves: ${join(runDir, 'curves.png')} · overlays: ${overlayDir}/ · summary: ${join(options.outDir, 'summary.json')} (${total.toFixed(0)} s in all)`);
  return summary;
}
