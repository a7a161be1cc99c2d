import { Command, Option } from '@commander-js/extra-typings';
import { validateDataset, type DatasetLayout } from '@levit-unet/datasets/node';
import { parsePositiveInt, say } from '../options.js';

const LAYOUTS: readonly DatasetLayout[] = ['synapse', 'msd', 'acdc', 'nifti-folders'];

export function validateDataCommand() {
  return new Command('validate-data')
    .description(
      'check a dataset folder (Synapse/TransUNet, MSD/nnU-Net, ACDC, or images/ + labels/) and list every problem with its ' +
        'file: missing pair or file, unreadable or truncated file, missing array, shape mismatch, label out of range, NaN/Inf',
    )
    .argument('<dir>', 'dataset folder')
    .option('--classes <n>', 'number of classes labels must fit (default: 9 Synapse, 4 ACDC, MSD from dataset.json)', parsePositiveInt('--classes'))
    .addOption(new Option('--layout <layout>', 'force the layout instead of detecting it').choices(LAYOUTS))
    .option('--json', 'print the report as JSON')
    .action(async (dir, options) => {
      const report = await validateDataset(dir, {
        ...(options.classes ? { numClasses: options.classes } : {}),
        ...(options.layout ? { layout: options.layout } : {}),
      });
      if (options.json) say(JSON.stringify(report, null, 2));
      else {
        for (const { file, problem } of report.problems) say(`${file}: ${problem}`);
        say(`${report.layout} dataset ${dir}: ${report.checked} checked, ${report.problems.length} problem(s)`);
      }
      if (report.problems.length > 0) throw new Error(`${report.problems.length} problem(s) found in ${dir}`);
    });
}
