/** How many values of `values` are NaN or ±Inf. */
export function countNonFinite(values: Float32Array): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) count++;
  return count;
}

/**
 * Throws when an engine's logits hold NaN/Inf: argmax over them would silently give a wrong label map (a
 * diverged or badly imported model), so the caller hears how many and where.
 */
export function checkFiniteLogits(logits: Float32Array, engineName: string, where: string): void {
  const bad = countNonFinite(logits);
  if (bad > 0) {
    throw new Error(`${where}: the ${engineName} engine returned ${bad} non-finite logits (NaN/Inf) of ${logits.length}; the model's weights or input are broken`);
  }
}
