import { boxDims, type Box } from './bounding-box.js';
import type { LabelArray } from './label-map.js';
import { Workspace } from './workspace.js';

/** The surface of one class inside a box, as a box-local mask (C order). */
export interface Surface {
  readonly mask: Uint8Array;
  readonly count: number;
}

/** medpy's `connectivity`: the structuring element generate_binary_structure(rank, connectivity) used for the erosion. */
export type Connectivity = 1 | 2 | 3;

/** Throws unless `connectivity` is 1, 2 or 3. */
export function assertConnectivity(connectivity: unknown): asserts connectivity is Connectivity {
  if (connectivity !== 1 && connectivity !== 2 && connectivity !== 3) {
    throw new Error(`connectivity must be 1 (face neighbours), 2 (and edges) or 3 (and corners), got ${String(connectivity)}`);
  }
}

/**
 * Offsets (dz, dy, dx) of the structuring element generate_binary_structure(3, connectivity) without its centre:
 * the neighbours whose squared distance |dz| + |dy| + |dx| is at most `connectivity`. Without `erodeAxis0` (2-D
 * input) dz is 0, which gives generate_binary_structure(2, connectivity).
 */
function neighbourOffsets(connectivity: Connectivity, erodeAxis0: boolean): Array<[number, number, number]> {
  const offsets: Array<[number, number, number]> = [];
  for (let dz = erodeAxis0 ? -1 : 0; dz <= (erodeAxis0 ? 1 : 0); dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const order = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
        if (order > 0 && order <= connectivity) offsets.push([dz, dy, dx]);
      }
    }
  }
  return offsets;
}

/**
 * Surface of M = (labels == c) inside `box`, which must hold all of M: S(M) = M XOR erode(M), the erosion using
 * the structuring element generate_binary_structure(ndim, connectivity) (1: face neighbours, medpy's default and
 * TransUNet's; 2: also edge neighbours; 3: also corner neighbours) with border_value 0, exactly as medpy's
 * `binary_erosion(M, generate_binary_structure(ndim, connectivity))`. So a voxel of M is a surface voxel when one of its face
 * neighbours is not in M or lies outside the volume. A neighbour outside the box is outside M, which is why the box
 * needs no margin. `erodeAxis0` false skips the axis-0 neighbours (2-D input seen as [1, H, W]). The mask lives in
 * `workspace` under `role` until the next call with that role.
 */
export function classSurface(
  labels: LabelArray,
  dims: readonly [number, number, number],
  c: number,
  box: Box,
  erodeAxis0: boolean,
  workspace: Workspace = new Workspace(),
  role = 'surface',
  connectivity: Connectivity = 1,
): Surface {
  const [b0, b1, b2] = boxDims(box);
  // The mask is padded by one zero voxel on every side so that the neighbour test needs no bounds checks.
  const p1 = b1 + 2;
  const p2 = b2 + 2;
  const sliceStride = p1 * p2;
  const padded = workspace.zeros('padded', (b0 + 2) * sliceStride);
  for (let z = 0; z < b0; z++) {
    for (let y = 0; y < b1; y++) {
      let src = ((box.lo[0] + z) * dims[1] + box.lo[1] + y) * dims[2] + box.lo[2];
      let dst = ((z + 1) * p1 + y + 1) * p2 + 1;
      for (let x = 0; x < b2; x++, src++, dst++) padded[dst] = labels[src] === c ? 1 : 0;
    }
  }
  const mask = workspace.zeros(role, b0 * b1 * b2);
  if (connectivity !== 1) return surfaceOfElement(padded, mask, [b0, b1, b2], neighbourOffsets(connectivity, erodeAxis0));
  const stride0 = erodeAxis0 ? sliceStride : 0;
  let count = 0;
  let out = 0;
  for (let z = 0; z < b0; z++) {
    for (let y = 0; y < b1; y++) {
      let i = ((z + 1) * p1 + y + 1) * p2 + 1;
      for (let x = 0; x < b2; x++, i++, out++) {
        if (padded[i] === 0) continue;
        // With stride0 = 0 the axis-0 test reads the voxel itself, which is in M, so it never marks a surface.
        const interior =
          padded[i - 1] & padded[i + 1] & padded[i - p2] & padded[i + p2] & padded[i - stride0] & padded[i + stride0];
        if (interior === 0) {
          mask[out] = 1;
          count++;
        }
      }
    }
  }
  return { mask, count };
}

/** The general case: a voxel of M is interior when every neighbour of the structuring element is in M. */
function surfaceOfElement(
  padded: Uint8Array,
  mask: Uint8Array,
  [b0, b1, b2]: readonly [number, number, number],
  offsets: ReadonlyArray<readonly [number, number, number]>,
): Surface {
  const p1 = b1 + 2;
  const p2 = b2 + 2;
  const steps = offsets.map(([dz, dy, dx]) => (dz * p1 + dy) * p2 + dx);
  let count = 0;
  let out = 0;
  for (let z = 0; z < b0; z++) {
    for (let y = 0; y < b1; y++) {
      let i = ((z + 1) * p1 + y + 1) * p2 + 1;
      for (let x = 0; x < b2; x++, i++, out++) {
        if (padded[i] === 0) continue;
        for (const step of steps) {
          if (padded[i + step] === 0) {
            mask[out] = 1;
            count++;
            break;
          }
        }
      }
    }
  }
  return { mask, count };
}
