/** Small label maps for tests, painted from closed-form shapes. */

export interface Volume {
  data: Uint8Array;
  shape: number[];
}

export function emptyVolume(shape: number[]): Volume {
  return { data: new Uint8Array(shape.reduce((a, b) => a * b, 1)), shape };
}

/** Index of a voxel (3-D or 2-D coordinates) in C order. */
export function indexOf(shape: readonly number[], at: readonly number[]): number {
  return at.reduce((index, coordinate, k) => index * shape[k] + coordinate, 0);
}

/** Paints `label` on every voxel where `inside(coordinates)` holds. */
export function paint(volume: Volume, label: number, inside: (at: number[]) => boolean): Volume {
  const { shape, data } = volume;
  const at = shape.map(() => 0);
  for (let i = 0; i < data.length; i++) {
    let rest = i;
    for (let k = shape.length - 1; k >= 0; k--) {
      at[k] = rest % shape[k];
      rest = Math.floor(rest / shape[k]);
    }
    if (inside(at)) data[i] = label;
  }
  return volume;
}

/** An axis-aligned box [lo, hi) per axis. */
export function box(lo: readonly number[], hi: readonly number[]): (at: number[]) => boolean {
  return (at) => at.every((c, k) => c >= lo[k] && c < hi[k]);
}

/** A digital ball: voxels whose centre is within `radius` of `centre` (in voxel units). */
export function ball(centre: readonly number[], radius: number): (at: number[]) => boolean {
  return (at) => at.reduce((s, c, k) => s + (c - centre[k]) ** 2, 0) <= radius * radius;
}

export function voxel(position: readonly number[]): (at: number[]) => boolean {
  return (at) => at.every((c, k) => c === position[k]);
}
