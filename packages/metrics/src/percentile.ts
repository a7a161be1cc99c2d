/**
 * q-th percentile with numpy's default 'linear' method (numpy ≥ 1.22 `method='linear'`, the old
 * `interpolation='linear'`): sort the n values into v, h = (q/100)·(n − 1), i = ⌊h⌋, γ = h − i;
 * result = v[i] + γ·(v[i+1] − v[i]), or v[i] when i = n − 1. Like numpy's `_lerp`, the interpolation is written
 * from the upper end when γ ≥ 0.5, so results match numpy to the last bit.
 * Only the two order statistics v[i] and v[i+1] are needed, so they are selected in O(n) instead of sorting.
 * `values` is reordered in place; it must be non-empty and free of NaN.
 */
export function percentileLinear(values: Float64Array, q: number): number {
  const n = values.length;
  if (n === 0) throw new Error('percentileLinear needs at least one value');
  if (!(q >= 0 && q <= 100)) throw new Error(`q must be in [0, 100], got ${q}`);
  const h = (q / 100) * (n - 1);
  const i = Math.floor(h);
  const lower = selectInPlace(values, i);
  if (i >= n - 1) return lower;
  // After selection every value right of i is ≥ v[i], so v[i+1] is their minimum.
  let upper = Infinity;
  for (let k = i + 1; k < n; k++) if (values[k] < upper) upper = values[k];
  const gamma = h - i;
  const diff = upper - lower;
  return gamma >= 0.5 ? upper - diff * (1 - gamma) : lower + diff * gamma;
}

/**
 * Puts the k-th smallest value at index k with no larger value before it and no smaller one after it (Hoare
 * partitioning around a median of three, which stays balanced on the many ties that voxel distances have).
 * Falls back to sorting the remaining range if partitioning keeps going badly.
 */
function selectInPlace(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  let budget = 2 * Math.ceil(Math.log2(a.length + 1)) + 8;
  while (hi > lo) {
    if (budget-- === 0) {
      a.subarray(lo, hi + 1).sort();
      return a[k];
    }
    const mid = (lo + hi) >>> 1;
    const pivot = medianOfThree(a[lo], a[mid], a[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[lo..j] ≤ pivot, a[j+1..i-1] = pivot, a[i..hi] ≥ pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function medianOfThree(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}
