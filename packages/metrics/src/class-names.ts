/**
 * Class names indexed by label value (index 0 is the background), in the label order the TransUNet / LeViT-UNet
 * papers use: Synapse multi-organ CT (8 organs) and ACDC cardiac MRI (right ventricle, myocardium, left ventricle).
 */
export const SYNAPSE_CLASS_NAMES = [
  'background',
  'aorta',
  'gallbladder',
  'kidney L',
  'kidney R',
  'liver',
  'pancreas',
  'spleen',
  'stomach',
] as const;

export const ACDC_CLASS_NAMES = ['background', 'RV', 'Myo', 'LV'] as const;

/** The name of class c, or `class c` when the list has none. */
export function className(names: readonly string[] | undefined, c: number): string {
  return names?.[c] ?? `class ${c}`;
}
