import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { ACDC_CLASSES, ACDC_DISPLAY_NAMES, SYNAPSE_CLASSES, SYNAPSE_DISPLAY_NAMES } from '@levit-unet/datasets';
import { readNifti } from '@levit-unet/datasets/node';
import { POLICY_NAMES, evaluateCase, summarize, summaryToJson, summaryToMarkdown } from '@levit-unet/metrics';
import { numClassesOption, say } from '../options.js';

/** `--spacing 0.7,0.7,3`: positive numbers along the NIfTI axes i, j, k (pixdim order). */
function parseSpacing(value: string): number[] {
  const spacing = value.split(',').map((s) => Number(s.trim()));
  if (spacing.length !== 3 || spacing.some((s) => !Number.isFinite(s) || s <= 0)) {
    throw new InvalidArgumentError(`--spacing must be three positive numbers along i,j,k such as 0.7,0.7,3, got "${value}"`);
  }
  return spacing;
}

function displayNamesFrom(option: string | undefined): readonly string[] | undefined {
  if (option === 'synapse') return SYNAPSE_DISPLAY_NAMES;
  if (option === 'acdc') return ACDC_DISPLAY_NAMES;
  return classNamesFrom(option);
}

function classNamesFrom(option: string | undefined): readonly string[] | undefined {
  if (option === undefined) return undefined;
  if (option === 'synapse') return SYNAPSE_CLASSES;
  if (option === 'acdc') return ACDC_CLASSES;
  return ['background', ...option.split(',').map((s) => s.trim())];
}

function sameSpacing(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, k) => Math.abs(s - b[k]) <= 1e-4 * Math.max(s, b[k]));
}

export function metricsCommand() {
  return new Command('metrics')
    .description(
      'score a predicted NIfTI label map against the ground truth per class: Dice, IoU, sensitivity, precision, HD, ' +
        'HD95, ASD (both ways) and ASSD, as medpy / TransUNet compute them',
    )
    .requiredOption('--pred <path>', 'predicted label map (.nii or .nii.gz)')
    .requiredOption('--gt <path>', 'ground-truth label map (.nii or .nii.gz)')
    .addOption(numClassesOption())
    .option(
      '--spacing [i,j,k]',
      'distances in mm: alone, the ground truth\'s NIfTI pixdim; with a value, the voxel size along the NIfTI axes ' +
        'i,j,k (pixdim order), e.g. 0.7,0.7,3. Without --spacing distances are in voxels, as in TransUNet',
      parseSpacing,
    )
    .addOption(new Option('--policy <name>', 'empty-mask policy').choices(POLICY_NAMES).default('transunet' as const))
    .option('--class-names <names>', 'synapse, acdc, or names of classes 1, 2, … separated by commas')
    .option('--json', 'print the metrics JSON (the evaluate command\'s schema): { mean, perClass: { "<class>": {…} }, cases, excluded, … }')
    .action(async (options) => {
      const [pred, gt] = await Promise.all([readNifti(options.pred), readNifti(options.gt)]);
      // readNifti's arrays are [nk, nj, ni] with `spacing` in that order, so i,j,k values are reversed to match.
      let spacingMm: number[] | undefined;
      if (options.spacing === true) {
        spacingMm = gt.spacing;
        if (!sameSpacing(pred.spacing, gt.spacing)) {
          process.stderr.write(`levit-unet metrics: pred spacing [${pred.spacing}] differs from gt's; using gt's [${gt.spacing}]\n`);
        }
      } else if (options.spacing) {
        spacingMm = [...options.spacing].reverse();
      }
      const evaluation = evaluateCase(
        { data: pred.data, shape: pred.shape },
        { data: gt.data, shape: gt.shape },
        { numClasses: options.numClasses, policy: options.policy, ...(spacingMm ? { spacingMm } : {}) },
      );
      const summary = summarize([{ name: options.pred, evaluation }]);
      const classNames = classNamesFrom(options.classNames);
      const displayNames = displayNamesFrom(options.classNames);
      if (options.json) return say(JSON.stringify(summaryToJson(summary, { ...(classNames ? { classNames } : {}), ...(displayNames ? { displayNames } : {}) }), null, 2));
      const units = spacingMm ? `mm, spacing [${spacingMm}] along array axes [k, j, i]` : 'voxels';
      process.stdout.write(`distances in ${units}\n\n`);
      process.stdout.write(summaryToMarkdown(summary, { perCase: false, ...(displayNames ? { classNames: displayNames } : {}) }));
    });
}
