import { Command, Option } from '@commander-js/extra-typings';
import { evaluateToFolder } from '@levit-unet/inference/node';
import { POLICY_NAMES } from '@levit-unet/metrics';
import { openEngine } from '../engine.js';
import { backendOption, batchSizeOption, engineOption, deviceOption, threadsOption, datasetOption, modelDirOption, say } from '../options.js';

export function evaluateCommand() {
  return new Command('evaluate')
    .description(
      "score a model on a dataset's held-out volumes with TransUNet's test_single_volume protocol; writes metrics.json, metrics.md (the papers' table) and metrics.csv",
    )
    .addOption(modelDirOption())
    .requiredOption('--data <dir>', 'dataset folder (Synapse TransUNet layout, ACDC as distributed, or a NIfTI folder)')
    .addOption(datasetOption())
    .requiredOption('--out <dir>', 'folder for metrics.json, metrics.md, metrics.csv')
    .addOption(new Option('--split <split>', 'which cases (default: test; all for NIfTI folders)').choices(['test', 'valid', 'train', 'all'] as const))
    .option('--save-predictions <dir>', 'also write each predicted label volume as NIfTI')
    .addOption(new Option('--spacing <mode>', 'distances in voxels (as the papers) or mm from the image header').choices(['voxel', 'header'] as const).default('voxel' as const))
    .addOption(new Option('--policy <name>', 'empty-mask policy').choices(POLICY_NAMES).default('transunet' as const))
    .addOption(batchSizeOption(8))
    .addOption(engineOption())
    .addOption(deviceOption())
    .addOption(threadsOption())
    .addOption(backendOption())
    .action(async (options) => {
      const engine = await openEngine(options.model, { backend: options.backend, engine: options.engine, threads: options.threads, ...(options.device ? { device: options.device } : {}) });
      try {
        const { evaluation, files } = await evaluateToFolder(engine, {
          dataRoot: options.data,
          dataset: options.dataset,
          out: options.out,
          spacing: options.spacing,
          policy: options.policy,
          batchSize: options.batchSize,
          ...(options.split ? { split: options.split } : {}),
          ...(options.savePredictions ? { savePredictions: options.savePredictions } : {}),
          onProgress: (p) => process.stderr.write(`\r${p.caseName}: ${p.slicesDone}/${p.slicesTotal} slices (case ${p.caseIndex + 1}/${p.casesTotal})   `),
        });
        process.stderr.write('\n');
        say(`mean DSC ${(100 * evaluation.mean.dice).toFixed(2)} %, HD95 ${evaluation.mean.hd95.toFixed(2)} ${evaluation.distanceUnit === 'mm' ? 'mm' : 'voxels'} over ${evaluation.cases.length} cases`);
        say(`wrote ${files.json}, ${files.markdown}, ${files.csv}`);
      } finally {
        await engine.dispose();
      }
    });
}
