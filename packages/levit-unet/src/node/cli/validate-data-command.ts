import { InvalidArgumentError, type Command } from 'commander';
import { validateDataset, type DatasetLayout } from '@levit-unet/datasets/node';
import { parsePositiveInt } from './options.js';

interface ValidateOptions {
  classes?: number;
  layout?: DatasetLayout;
  json?: boolean;
}

const LAYOUTS: readonly DatasetLayout[] = ['synapse', 'msd', 'acdc', 'nifti-folders'];

export function registerValidateDataCommand(program: Command): void {
  program
    .command('validate-data')
    .description(
      'check a dataset folder (Synapse/TransUNet, MSD/nnU-Net, ACDC, or images/ + labels/) and list every problem with its ' +
        'file: missing pair or file, unreadable or truncated file, missing array, shape mismatch, label out of range, NaN/Inf',
    )
    .argument('<dir>', 'dataset folder')
    .option('--classes <n>', 'number of classes labels must fit (default: 9 Synapse, 4 ACDC, MSD from dataset.json)', parsePositiveInt('--classes'))
    .option('--layout <layout>', `force the layout (${LAYOUTS.join(', ')}) instead of detecting it`, (value: string) => {
      if (!LAYOUTS.includes(value as DatasetLayout)) throw new InvalidArgumentError(`--layout must be one of ${LAYOUTS.join(', ')}`);
      return value as DatasetLayout;
    })
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, options: ValidateOptions) => {
      const report = await validateDataset(dir, {
        ...(options.classes ? { numClasses: options.classes } : {}),
        ...(options.layout ? { layout: options.layout } : {}),
      });
      if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        for (const { file, problem } of report.problems) process.stdout.write(`${file}: ${problem}\n`);
        process.stdout.write(`${report.layout} dataset ${dir}: ${report.checked} checked, ${report.problems.length} problem(s)\n`);
      }
      if (report.problems.length > 0) throw new Error(`${report.problems.length} problem(s) found in ${dir}`);
    });
}
