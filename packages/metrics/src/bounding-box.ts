/** An axis-aligned box of voxels: lo inclusive, hi exclusive, per axis of the 3-D grid. */
export interface Box {
  readonly lo: readonly [number, number, number];
  readonly hi: readonly [number, number, number];
}

/** The smallest box holding both boxes. */
export function unionBox(a: Box, b: Box): Box {
  return {
    lo: [Math.min(a.lo[0], b.lo[0]), Math.min(a.lo[1], b.lo[1]), Math.min(a.lo[2], b.lo[2])],
    hi: [Math.max(a.hi[0], b.hi[0]), Math.max(a.hi[1], b.hi[1]), Math.max(a.hi[2], b.hi[2])],
  };
}

/** Extent of the box along each axis. */
export function boxDims(box: Box): [number, number, number] {
  return [box.hi[0] - box.lo[0], box.hi[1] - box.lo[1], box.hi[2] - box.lo[2]];
}
