/** Max |reference − got[offset + i]| and max |reference| over the reference's length. */
export function compareToReference(reference: ArrayLike<number>, got: ArrayLike<number>, offset = 0): { maxError: number; maxReference: number } {
  let maxError = 0;
  let maxReference = 0;
  for (let i = 0; i < reference.length; i++) {
    maxError = Math.max(maxError, Math.abs(reference[i] - got[offset + i]));
    maxReference = Math.max(maxReference, Math.abs(reference[i]));
  }
  return { maxError, maxReference };
}
