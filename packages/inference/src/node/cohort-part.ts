/** One of `numParts` disjoint parts of a cohort: part `partId` (0-based, as Kubernetes' JOB_COMPLETION_INDEX). */
export interface CohortPart {
  readonly numParts: number;
  readonly partId: number;
}

/** Throws one line unless `numParts` is a positive integer and `partId` an integer in [0, numParts). */
export function checkCohortPart({ numParts, partId }: CohortPart): void {
  if (!Number.isInteger(numParts) || numParts < 1) throw new Error(`the number of parts must be a positive integer, got ${numParts}`);
  if (!Number.isInteger(partId) || partId < 0 || partId >= numParts) {
    throw new Error(`the part id must be an integer in 0..${numParts - 1} (${numParts} parts), got ${partId}`);
  }
}

/**
 * The indices of `count` items (listed in a fixed order: the scans sorted by file name) that part `partId`
 * takes: every `numParts`-th from `partId`, as nnU-Net's `-num_parts N -part_id K`. Parts are disjoint, their
 * union is every item, and their sizes differ by at most one, provided every process lists the same items.
 */
export function cohortPartIndices(count: number, part: CohortPart): number[] {
  checkCohortPart(part);
  const indices: number[] = [];
  for (let i = part.partId; i < count; i += part.numParts) indices.push(i);
  return indices;
}
