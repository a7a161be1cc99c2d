import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { ACDC_CLASSES, ACDC_DISPLAY_NAMES, SYNAPSE_CLASSES, SYNAPSE_DISPLAY_NAMES } from '@levit-unet/datasets';
import { readNifti } from '@levit-unet/datasets/node';
import { MAX_NUM_CLASSES, POLICY_NAMES, evaluateCase, summarize, summaryToJson, summaryToMarkdown } from '@levit-unet/metrics';
import { alignToGrid } from '../label-map-alignment.js';
import { say } from '../options.js';

/** `--num-classes`: background included, at least 2 and at most what the confusion matrix supports. */
function parseNumClasses(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2 || n > MAX_NUM_CLASSES) {
    throw new InvalidArgumentError(`--num-classes must be an integer from 2 to ${MAX_NUM_CLASSES} (background included), got "${value}"`);
  }
  return n;
}

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
    .addOption(
      new Option('--num-classes <n>', 'number of classes, background included').argParser(parseNumClasses).makeOptionMandatory(),
    )
    .option(
      '--spacing [i,j,k]',
      'distances in mm: alone, the ground truth\'s NIfTI pixdim; with a value, the voxel size along the NIfTI axes ' +
        'i,j,k (pixdim order), e.g. 0.7,0.7,3. Without --spacing distances are in voxels, as in TransUNet',
      parseSpacing,
    )
    .addOption(new Option('--policy <name>', 'empty-mask policy').choices(POLICY_NAMES).default('transunet' as const))
    .option('--class-names <names>', 'synapse, acdc, or names of classes 1, 2, … separated by commas')
    .addOption(
      new Option(
        '--connectivity <n>',
        "medpy's connectivity for the surface erosion: 1 face neighbours (medpy's default, TransUNet), 2 edges, 3 corners",
      )
        .choices(['1', '2', '3'] as const)
        .default('1' as const),
    )
    .option(
      '--ignore-affine',
      'compare voxel by voxel even when the two NIfTI affines describe different grids (by default a prediction stored ' +
        'with flipped or permuted axes is reoriented onto the ground truth, and other differences are refused)',
    )
    .option('--json', 'print the metrics JSON (the evaluate command\'s schema): { mean, perClass: { "<class>": {…} }, cases, excluded, … }')
    .action(async (options) => {
      const [pred, gt] = await Promise.all([readNifti(options.pred), readNifti(options.gt)]);
      const aligned = options.ignoreAffine
        ? { data: pred.data, shape: pred.shape, reoriented: null }
        : alignToGrid(pred, gt, { pred: options.pred, gt: options.gt });
      if (aligned.reoriented) {
        process.stderr.write(`levit-unet metrics: ${options.pred} reoriented onto ${options.gt}'s grid (${aligned.reoriented})\n`);
      }
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
      if (aligned.shape.join() !== gt.shape.join()) {
        throw new Error(`${options.pred} has shape [${aligned.shape}] (k, j, i) but ${options.gt} has [${gt.shape}]`);
      }
      const evaluation = evaluateCase(
        { data: aligned.data, shape: aligned.shape },
        { data: gt.data, shape: gt.shape },
        {
          numClasses: options.numClasses,
          policy: options.policy,
          connectivity: Number(options.connectivity) as 1 | 2 | 3,
          ...(spacingMm ? { spacingMm } : {}),
        },
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
