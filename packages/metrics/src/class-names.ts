/**
 * Class names come in as options (the class lists themselves belong to `@levit-unet/datasets`, e.g. its
 * `SYNAPSE_CLASSES` and `SYNAPSE_DISPLAY_NAMES`), so this package stays free of dependencies.
 */

/** The name of class c, or `class c` when the list has none. */
export function className(names: readonly string[] | undefined, c: number): string {
  return names?.[c] ?? `class ${c}`;
}
