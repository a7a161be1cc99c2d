import { boxDims, type Box } from './bounding-box.js';
import type { LabelArray } from './label-map.js';
import { Workspace } from './workspace.js';

/** The surface of one class inside a box, as a box-local mask (C order). */
export interface Surface {
  readonly mask: Uint8Array;
  readonly count: number;
}

/**
 * Surface of M = (labels == c) inside `box`, which must hold all of M: S(M) = M XOR erode(M), the erosion using
 * the connectivity-1 structuring element (face neighbours) with border_value 0, exactly as medpy's
 * `binary_erosion(M, generate_binary_structure(ndim, 1))`. So a voxel of M is a surface voxel when one of its face
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
