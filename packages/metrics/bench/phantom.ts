/**
 * A deterministic abdominal-CT-like label volume pair for benchmarking: 8 Synapse organs as ellipsoids with smooth
 * boundary perturbations, sized as in a 512×512 CT at about 0.76 mm in-plane and 3 mm slices, and a prediction
 * made from the same organs with the kinds of errors a segmentation network makes (shifts, scaling, boundary noise,
 * a far false-positive blob, a missing stretch of slices).
 */

import { SeededRandom } from '@levit-unet/datasets';

/** An ellipsoid in voxels (z, y, x) whose radius is modulated by a few smooth waves over the direction. */
interface Blob {
  label: number;
  centre: [number, number, number];
  semiAxes: [number, number, number];
  waves: { direction: [number, number, number]; amplitude: number; frequency: number; phase: number }[];
}

interface OrganSpec {
  label: number;
  centre: [number, number, number];
  semiAxes: [number, number, number];
}

/** Centres and semi-axes in voxels of a [150, 512, 512] volume, (z, y, x); painted largest first. */
const organs: OrganSpec[] = [
  { label: 5, centre: [95, 250, 165], semiAxes: [27, 100, 125] }, // liver
  { label: 8, centre: [92, 215, 335], semiAxes: [20, 62, 88] }, // stomach
  { label: 7, centre: [88, 325, 385], semiAxes: [17, 45, 38] }, // spleen
  { label: 3, centre: [62, 335, 345], semiAxes: [19, 38, 30] }, // kidney L
  { label: 4, centre: [66, 335, 175], semiAxes: [19, 38, 30] }, // kidney R
  { label: 1, centre: [75, 300, 262], semiAxes: [55, 14, 14] }, // aorta: a long thin ellipsoid along z
  { label: 6, centre: [72, 295, 275], semiAxes: [6, 20, 95] }, // pancreas
  { label: 2, centre: [78, 225, 205], semiAxes: [9, 22, 30] }, // gallbladder
];

function makeWave(random: () => number, roughness: number): Blob['waves'][number] {
  const v: [number, number, number] = [random() - 0.5, random() - 0.5, random() - 0.5];
  const norm = Math.hypot(...v) || 1;
  return {
    direction: [v[0] / norm, v[1] / norm, v[2] / norm],
    amplitude: roughness * (0.5 + random()),
    frequency: 2 + Math.floor(random() * 4),
    phase: random() * 2 * Math.PI,
  };
}

function makeBlob(random: () => number, spec: OrganSpec, roughness: number): Blob {
  const waves = Array.from({ length: 4 }, () => makeWave(random, roughness));
  return { label: spec.label, centre: spec.centre, semiAxes: spec.semiAxes, waves };
}

/** Paints a blob into `labels` (shape [n0, n1, n2]); later blobs overwrite earlier ones. */
function paint(labels: Uint8Array, dims: [number, number, number], blob: Blob, skipSlices?: [number, number]): void {
  const [, n1, n2] = dims;
  const maxScale = 1 + blob.waves.reduce((s, w) => s + w.amplitude, 0);
  const lo = blob.centre.map((c, k) => Math.max(0, Math.floor(c - blob.semiAxes[k] * maxScale)));
  const hi = blob.centre.map((c, k) => Math.min(dims[k] - 1, Math.ceil(c + blob.semiAxes[k] * maxScale)));
  for (let z = lo[0]; z <= hi[0]; z++) {
    if (skipSlices && z >= skipSlices[0] && z < skipSlices[1]) continue;
    const dz = (z - blob.centre[0]) / blob.semiAxes[0];
    for (let y = lo[1]; y <= hi[1]; y++) {
      const dy = (y - blob.centre[1]) / blob.semiAxes[1];
      const row = (z * n1 + y) * n2;
      for (let x = lo[2]; x <= hi[2]; x++) {
        const dx = (x - blob.centre[2]) / blob.semiAxes[2];
        const r = Math.sqrt(dz * dz + dy * dy + dx * dx);
        if (r > maxScale) continue;
        let scale = 1;
        if (r > 0) {
          for (const w of blob.waves) {
            const cos = (w.direction[0] * dz + w.direction[1] * dy + w.direction[2] * dx) / r;
            scale += w.amplitude * Math.sin(w.frequency * cos + w.phase);
          }
        }
        if (r <= scale) labels[row + x] = blob.label;
      }
    }
  }
}

export interface Phantom {
  shape: [number, number, number];
  gt: Uint8Array;
  pred: Uint8Array;
}

export function makePhantom(seed: number, shape: [number, number, number] = [150, 512, 512]): Phantom {
  const random = SeededRandom.stream(seed);
  const size = shape[0] * shape[1] * shape[2];
  const gt = new Uint8Array(size);
  const pred = new Uint8Array(size);
  for (const spec of organs) {
    const organ = makeBlob(random, spec, 0.08);
    paint(gt, shape, organ);
    // The prediction: the same organ shifted by up to 2 voxels in-plane and 1 slice, scaled by ±5 %, with one
    // more boundary wave of its own.
    const predicted: Blob = {
      label: spec.label,
      centre: [
        spec.centre[0] + Math.round(random() * 2 - 1),
        spec.centre[1] + Math.round(random() * 4 - 2),
        spec.centre[2] + Math.round(random() * 4 - 2),
      ],
      semiAxes: spec.semiAxes.map((a) => a * (0.95 + random() * 0.1)) as [number, number, number],
      waves: [...organ.waves, makeWave(random, 0.04)],
    };
    // The liver loses 4 slices in the prediction, as when a network misses part of an organ.
    const skip: [number, number] | undefined = spec.label === 5 ? [100, 104] : undefined;
    paint(pred, shape, predicted, skip);
  }
  // A far false-positive blob of spleen on the other side of the body, which spreads the spleen's bounding box.
  paint(pred, shape, makeBlob(random, { label: 7, centre: [80, 330, 110], semiAxes: [3, 8, 8] }, 0.05));
  return { shape, gt, pred };
}
