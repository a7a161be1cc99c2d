import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { prepareDataset, type PrepareDatasetOptions } from '@levit-unet/datasets/node';
import { parseInteger, say } from '../options.js';
import { parseWindow } from './predict-command.js';

function parseFraction(value: string): number {
  const f = Number(value);
  if (!(f >= 0 && f < 1)) throw new InvalidArgumentError(`--test-fraction must be in [0, 1), got "${value}"`);
  return f;
}

export function prepareCommand() {
  return new Command('prepare')
    .description(
      "turn raw NIfTI volumes and label maps into TransUNet's Synapse layout: axial slices (slice axis from the affine), " +
        'CT clipped to the window and scaled to [0, 1] (MRI: per-volume 0.5-99.5th percentiles), labels remapped, ' +
        'train_npz/caseXXXX_sliceYYY.npz, test_vol_h5/caseXXXX.npy.h5, lists_Synapse/train.txt and test_vol.txt',
    )
    .requiredOption('--images <dir>', 'folder of NIfTI images (.nii/.nii.gz), HU for CT')
    .requiredOption('--labels <dir>', 'folder of NIfTI label maps with matching names (img0001 <-> label0001, x_0000 <-> x, or equal)')
    .requiredOption('--out <dir>', 'output dataset folder (written atomically): a new or empty folder, or a Synapse dataset folder with --force')
    .option('--label-map <btcv|none|file>', 'btcv: BTCV 13 organs -> Synapse 8 (8->1, 4->2, 3->3, 2->4, 6->5, 11->6, 1->7, 7->8); a JSON file {"id": newId}; none: keep')
    .option('--window <low,high>', 'CT window in HU (default -125,275)', parseWindow)
    .addOption(new Option('--modality <modality>', 'ct: fixed window; mri: per-volume percentile normalisation').choices(['ct', 'mri'] as const).default('ct' as const))
    .option('--test-cases <names>', 'comma-separated output case names for the test split (default: TransUNet\'s split when all cases are BTCV 1-40, else --test-fraction)', (v: string) =>
      v.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    )
    .option('--test-fraction <f>', 'fraction of cases for testing when there is no official or given split (default 0.4)', parseFraction)
    .option('--seed <n>', 'seed for the fraction split', parseInteger('--seed'), 0)
    .option('--compress', 'deflate the training slices (default: stored like np.savez, fastest to load)')
    .option('--force', 'replace the Synapse dataset at --out (never a folder holding other files, nor one containing --images/--labels)')
    .action(async (options) => {
      const request: PrepareDatasetOptions = {
        images: options.images,
        labels: options.labels,
        out: options.out,
        format: 'synapse',
        labelMap: options.labelMap ?? null,
        modality: options.modality,
        seed: options.seed,
        compress: options.compress ?? false,
        overwrite: options.force ?? false,
        onCase: (c) => say(`${c.name}  ${c.split.padEnd(5)}  ${c.shape.join('x')}  ${c.image}`),
        ...(options.window ? { window: options.window } : {}),
        ...(options.testCases ? { testCases: options.testCases } : {}),
        ...(options.testFraction !== undefined ? { testFraction: options.testFraction } : {}),
      };
      const report = await prepareDataset(request);
      say(
        `wrote ${report.out}: ${report.trainSlices} training slices from ${report.cases.length - report.testVolumes} cases, ` +
          `${report.testVolumes} test volumes (split: ${report.split})`,
      );
    });
}
