/** Throws unless `spacingMm` has one positive finite entry per array axis. */
export function assertSpacing(spacingMm: readonly number[], ndim: number): void {
  if (!Array.isArray(spacingMm) || spacingMm.length !== ndim) {
    throw new Error(
      `spacingMm must have one entry per array axis (${ndim}), in array axis order; got ${JSON.stringify(spacingMm)}`,
    );
  }
  for (const s of spacingMm) {
    if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0) {
      throw new Error(`spacingMm entries must be positive finite numbers, got ${JSON.stringify(spacingMm)}`);
    }
  }
}
