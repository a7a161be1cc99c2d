import { DataError } from '../data-error.js';
import type { TypedArray } from '../volume.js';

/**
 * BTCV (Synapse multi-atlas, 13 organs) label ids to the 8 Synapse organs TransUNet evaluates:
 * aorta 8→1, gallbladder 4→2, kidney L 3→3, kidney R 2→4, liver 6→5, pancreas 11→6, spleen 1→7,
 * stomach 7→8; every other id (esophagus, IVC, veins, adrenals) → 0.
 */
export const BTCV_TO_SYNAPSE: Readonly<Record<number, number>> = { 8: 1, 4: 2, 3: 3, 2: 4, 6: 5, 11: 6, 1: 7, 7: 8 };

/** A source-id → target-id table; ids not in it become 0. */
export type LabelMap = Readonly<Record<number, number>>;

/** Applies a label map voxel by voxel; non-integer source values are a `DataError`. */
export function remapLabels(data: TypedArray, map: LabelMap, source?: string): Uint8Array {
  const table = new Map<number, number>(Object.entries(map).map(([from, to]) => [Number(from), to]));
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isInteger(v)) throw new DataError(source, `label map has a non-integer value (${v}) at flat index ${i}`);
    out[i] = table.get(v) ?? 0;
  }
  return out;
}

/** Parses a label-map file: a JSON object `{ "sourceId": targetId, ... }` with integer ids, targets 0..255. */
export function parseLabelMap(text: string, source?: string): LabelMap {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DataError(source, `label map is not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DataError(source, 'label map must be a JSON object {"sourceId": targetId}');
  }
  const map: Record<number, number> = {};
  for (const [from, to] of Object.entries(parsed)) {
    const id = Number(from);
    if (!Number.isInteger(id) || !Number.isInteger(to) || (to as number) < 0 || (to as number) > 255) {
      throw new DataError(source, `label map entry "${from}": ${JSON.stringify(to)} is not an integer id pair (target 0..255)`);
    }
    map[id] = to as number;
  }
  return map;
}
