import { ACDC_DISPLAY_NAMES, SYNAPSE_DISPLAY_NAMES } from '@levit-unet/datasets';
import { SYNAPSE_PALETTE, type ScanModality } from '@levit-unet/inference';

/** What a model's classes mean: names (0 = background), colours, and the modality it was trained on. */
export interface LabelSet {
  readonly dataset: 'Synapse' | 'ACDC';
  readonly names: readonly string[];
  readonly colours: ReadonlyArray<readonly [number, number, number]>;
  readonly modality: ScanModality;
}

/** Colours by class as the project's overlay figures draw them: the Synapse palette, cycled past its end. */
function coloursFor(count: number): Array<readonly [number, number, number]> {
  return Array.from({ length: count }, (_, c) => (c === 0 ? SYNAPSE_PALETTE[0]! : SYNAPSE_PALETTE[1 + ((c - 1) % (SYNAPSE_PALETTE.length - 1))]!));
}

/**
 * The label set of a model with `numClasses` outputs: Synapse's 9 (CT, 8 organs) or ACDC's 4 (cine MRI, RV / Myo /
 * LV); any other count is one line naming the model.
 */
export function labelSetFor(numClasses: number, source: string): LabelSet {
  if (numClasses === SYNAPSE_DISPLAY_NAMES.length) return { dataset: 'Synapse', names: SYNAPSE_DISPLAY_NAMES, colours: coloursFor(numClasses), modality: 'ct' };
  if (numClasses === ACDC_DISPLAY_NAMES.length) return { dataset: 'ACDC', names: ACDC_DISPLAY_NAMES, colours: coloursFor(numClasses), modality: 'mr' };
  throw new Error(
    `${source}: the model has ${numClasses} output classes; this viewer reads Synapse models (9 classes: background and 8 abdominal organs, CT) ` +
      `and ACDC models (4 classes: background, RV, Myo, LV, MRI)`,
  );
}
