/**
 * A deliberately naive re-implementation of medpy's surface distances, independent of the package: the surface by
 * testing each voxel's face neighbours over the whole volume, and each distance by scanning every surface voxel of
 * the other mask. Quadratic, so only for small volumes.
 */

function coordinates(shape: readonly number[], i: number): number[] {
  const at = shape.map(() => 0);
  for (let k = shape.length - 1; k >= 0; k--) {
    at[k] = i % shape[k];
    i = Math.floor(i / shape[k]);
  }
  return at;
}

/** Offsets in {−1, 0, 1}^rank with 1 … connectivity non-zero steps: scipy's generate_binary_structure(rank, connectivity) minus its centre. */
function structureOffsets(rank: number, connectivity: number): number[][] {
  let offsets: number[][] = [[]];
  for (let k = 0; k < rank; k++) offsets = offsets.flatMap((o) => [-1, 0, 1].map((step) => [...o, step]));
  return offsets.filter((o) => {
    const order = o.filter((step) => step !== 0).length;
    return order > 0 && order <= connectivity;
  });
}

/**
 * Surface voxels of `mask` (as coordinates): in the mask with a neighbour of the structuring element (face
 * neighbours for connectivity 1, plus edges for 2, plus corners for 3) outside the mask or the volume.
 */
export function bruteSurface(mask: ArrayLike<boolean | number>, shape: readonly number[], connectivity = 1): number[][] {
  const surface: number[][] = [];
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const offsets = structureOffsets(shape.length, connectivity);
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const at = coordinates(shape, i);
    const onSurface = offsets.some((offset) => {
      const to = at.map((c, k) => c + offset[k]);
      if (to.some((c, k) => c < 0 || c >= shape[k])) return true;
      return !mask[to.reduce((sum, c, k) => sum + c * strides[k], 0)];
    });
    if (onSurface) surface.push(at);
  }
  return surface;
}

/** For each point of `from`, the distance to the nearest point of `to`. */
export function bruteDirected(from: number[][], to: number[][], spacing: readonly number[]): number[] {
  return from.map((p) => {
    let best = Infinity;
    for (const q of to) {
      let d2 = 0;
      for (let k = 0; k < p.length; k++) d2 += ((p[k] - q[k]) * spacing[k]) ** 2;
      if (d2 < best) best = d2;
    }
    return Math.sqrt(best);
  });
}

/** numpy.percentile(values, q) with the default 'linear' method, by sorting. */
export function numpyPercentile(values: readonly number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  const h = (q / 100) * (v.length - 1);
  const i = Math.floor(h);
  return i >= v.length - 1 ? v[i] : v[i] + (h - i) * (v[i + 1] - v[i]);
}

/** hd, hd95, asd, asdReverse and assd of class c, all by brute force. */
export function bruteDistances(
  pred: ArrayLike<number>,
  gt: ArrayLike<number>,
  shape: readonly number[],
  c: number,
  spacing: readonly number[] = shape.map(() => 1),
  connectivity = 1,
) {
  const sp = bruteSurface(Array.from(pred, (v) => v === c), shape, connectivity);
  const sg = bruteSurface(Array.from(gt, (v) => v === c), shape, connectivity);
  const pg = bruteDirected(sp, sg, spacing);
  const gp = bruteDirected(sg, sp, spacing);
  const pooled = [...pg, ...gp];
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
  return {
    hd: Math.max(...pooled),
    hd95: numpyPercentile(pooled, 95),
    asd: sum(pg) / pg.length,
    asdReverse: sum(gp) / gp.length,
    assd: sum(pooled) / pooled.length,
    predSurfaceVoxels: sp.length,
    gtSurfaceVoxels: sg.length,
  };
}
