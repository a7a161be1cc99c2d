import { SeededRandom } from './sampling/seeded-random.js';
import type { NdArray } from './volume.js';

/** Options of `abdominalPhantom`. */
export interface PhantomOptions {
  /** Seed; the same seed and shape always give the same volume (default 0). */
  seed?: number;
  /** (D, H, W) = (axial slices, rows, columns); default [64, 512, 512]. */
  shape?: readonly [number, number, number];
  /** Voxel size in mm in the same order (default: 3 mm slices, 0.75 mm scaled to a 384 mm field of view). */
  spacing?: readonly [number, number, number];
}

/** A synthetic abdominal CT: HU image, Synapse label map (0..8), geometry for writing it as NIfTI. */
export interface PhantomVolume {
  /** (D, H, W) in Hounsfield units, like a raw CT. */
  image: NdArray<Int16Array>;
  /** (D, H, W) Synapse ids: 1 aorta, 2 gallbladder, 3 kidney L, 4 kidney R, 5 liver, 6 pancreas, 7 spleen, 8 stomach. */
  label: NdArray<Uint8Array>;
  spacing: [number, number, number];
  /**
   * Voxel (i, j, k) = (column, row, slice) to world, LPS-style storage as in DICOM-derived scans: column 0
   * is the patient's right, row 0 anterior, slices run inferior to superior.
   */
  affine: number[][];
}

interface Structure {
  label: number;
  /** Mean HU, texture amplitude (HU), texture frequency (cycles per unit). */
  hu: number;
  texture: number;
  frequency: number;
  /** Centre (u, v, z) and radii in normalised coordinates; in-plane rotation in radians. */
  centre: [number, number, number];
  radii: [number, number, number];
  angle: number;
}

// Normalised coordinates: u = column across the body (-1 = image left = patient right), v = row
// (-1 = anterior), z = slice position (0 = inferior end, 1 = superior end). Painted in this order, so later
// structures cover earlier ones; the vertebra (label 0) is bright and unlabelled, like bone in Synapse.
const ANATOMY: Array<Omit<Structure, 'angle'> & { angle?: number }> = [
  { label: 5, hu: 65, texture: 10, frequency: 9, centre: [-0.36, -0.05, 0.72], radii: [0.42, 0.46, 0.36] },
  { label: 2, hu: 8, texture: 3, frequency: 5, centre: [-0.3, -0.32, 0.56], radii: [0.08, 0.11, 0.12] },
  { label: 4, hu: 175, texture: 22, frequency: 14, centre: [-0.33, 0.42, 0.45], radii: [0.12, 0.17, 0.2], angle: 0.3 },
  { label: 3, hu: 175, texture: 22, frequency: 14, centre: [0.33, 0.42, 0.5], radii: [0.12, 0.17, 0.2], angle: -0.3 },
  { label: 7, hu: 112, texture: 8, frequency: 7, centre: [0.52, 0.3, 0.7], radii: [0.15, 0.22, 0.2], angle: -0.4 },
  { label: 8, hu: -15, texture: 40, frequency: 6, centre: [0.3, -0.22, 0.68], radii: [0.23, 0.18, 0.22], angle: 0.5 },
  { label: 6, hu: 95, texture: 28, frequency: 22, centre: [0.05, 0.12, 0.52], radii: [0.32, 0.06, 0.1], angle: -0.25 },
  { label: 1, hu: 235, texture: 5, frequency: 4, centre: [0.06, 0.3, 0.5], radii: [0.05, 0.05, 0.7] },
  { label: 0, hu: 450, texture: 60, frequency: 12, centre: [0, 0.62, 0.5], radii: [0.11, 0.1, 0.9] },
];

interface Texture {
  waves: Array<{ fu: number; fv: number; fz: number; phase: number }>;
}

function makeTexture(rng: SeededRandom, frequency: number): Texture {
  const waves = [];
  for (let n = 0; n < 3; n++) {
    const theta = rng.random() * 2 * Math.PI;
    const f = frequency * (0.7 + 0.6 * rng.random()) * Math.PI;
    waves.push({ fu: f * Math.cos(theta), fv: f * Math.sin(theta), fz: f * (rng.random() - 0.5), phase: rng.random() * 2 * Math.PI });
  }
  return { waves };
}

function textureAt(t: Texture, u: number, v: number, z: number): number {
  let s = 0;
  for (const w of t.waves) s += Math.sin(w.fu * u + w.fv * v + w.fz * z + w.phase);
  return s / 3;
}

/**
 * A deterministic abdomen-like CT phantom with the 8 Synapse organs: air outside the body, a fat layer,
 * textured soft tissue, organs as jittered, rotated ellipsoids with distinct mean HU (gallbladder 8,
 * stomach -15 with coarse texture, liver 65, pancreas 95 with fine lobulated texture, spleen 112,
 * kidneys 175, aorta 235) plus per-organ sinusoidal texture and Gaussian noise (sigma 12 HU), and an
 * unlabelled bright vertebra. Organs appear over realistic slice ranges (liver/spleen/stomach upper,
 * kidneys middle). Meant for tests and demos: learnable, not anatomy.
 */
export function generatePhantomVolume(options: PhantomOptions = {}): PhantomVolume {
  const seed = options.seed ?? 0;
  const [depth, rows, cols] = options.shape ?? [64, 512, 512];
  const spacing: [number, number, number] = options.spacing ? [...options.spacing] : [3, 384 / rows, 384 / cols];
  const rng = new SeededRandom(seed);
  const structures: Array<Structure & { tex: Texture }> = ANATOMY.map((s) => {
    const jitter = () => (rng.random() - 0.5) * 0.08;
    const scale = () => 0.85 + 0.3 * rng.random();
    const structure: Structure = {
      ...s,
      centre: [s.centre[0] + jitter(), s.centre[1] + jitter(), s.centre[2] + jitter()],
      radii: [s.radii[0] * scale(), s.radii[1] * scale(), s.radii[2] * scale()],
      angle: (s.angle ?? 0) + (rng.random() - 0.5) * 0.5,
    };
    return { ...structure, tex: makeTexture(rng, s.frequency) };
  });
  const bodyTexture = makeTexture(rng, 5);
  const body = { ru: 0.9 + 0.06 * (rng.random() - 0.5), rv: 0.74 + 0.06 * (rng.random() - 0.5), cv: 0.05 };

  const plane = rows * cols;
  const image = new Int16Array(depth * plane);
  const label = new Uint8Array(depth * plane);
  const hu = new Float32Array(plane);
  const noise = new SeededRandom(seed ^ 0x5bd1e995);
  for (let d = 0; d < depth; d++) {
    const z = (d + 0.5) / depth;
    const labels = label.subarray(d * plane, (d + 1) * plane);
    for (let r = 0; r < rows; r++) {
      const v = ((r + 0.5) / rows) * 2 - 1;
      for (let c = 0; c < cols; c++) {
        const u = ((c + 0.5) / cols) * 2 - 1;
        const e = (u / body.ru) ** 2 + ((v - body.cv) / body.rv) ** 2;
        hu[r * cols + c] = e > 1 ? -1000 : e > 0.8 ? -95 + 8 * textureAt(bodyTexture, u, v, z) : 35 + 10 * textureAt(bodyTexture, u, v, z);
      }
    }
    for (const s of structures) paintSection(s, z, rows, cols, hu, labels);
    for (let p = 0; p < plane; p++) {
      const n = Math.sqrt(-2 * Math.log(1 - noise.random())) * Math.cos(2 * Math.PI * noise.random());
      image[d * plane + p] = Math.round(hu[p]! + 12 * n);
    }
  }
  const [dz, dy, dx] = spacing;
  const affine = [
    [-dx, 0, 0, (dx * cols) / 2],
    [0, -dy, 0, (dy * rows) / 2],
    [0, 0, dz, -(dz * depth) / 2],
    [0, 0, 0, 1],
  ];
  return { image: { data: image, shape: [depth, rows, cols] }, label: { data: label, shape: [depth, rows, cols] }, spacing, affine };
}

function paintSection(
  s: Structure & { tex: Texture },
  z: number,
  rows: number,
  cols: number,
  hu: Float32Array,
  labels: Uint8Array,
): void {
  const dz = (z - s.centre[2]) / s.radii[2];
  if (Math.abs(dz) >= 1) return;
  const shrink = Math.sqrt(1 - dz * dz);
  const ru = s.radii[0] * shrink;
  const rv = s.radii[1] * shrink;
  const cos = Math.cos(s.angle);
  const sin = Math.sin(s.angle);
  const extent = Math.max(ru, rv);
  const c0 = Math.max(0, Math.floor(((s.centre[0] - extent + 1) / 2) * cols));
  const c1 = Math.min(cols - 1, Math.ceil(((s.centre[0] + extent + 1) / 2) * cols));
  const r0 = Math.max(0, Math.floor(((s.centre[1] - extent + 1) / 2) * rows));
  const r1 = Math.min(rows - 1, Math.ceil(((s.centre[1] + extent + 1) / 2) * rows));
  for (let r = r0; r <= r1; r++) {
    const v = ((r + 0.5) / rows) * 2 - 1 - s.centre[1];
    for (let c = c0; c <= c1; c++) {
      const u = ((c + 0.5) / cols) * 2 - 1 - s.centre[0];
      const a = (u * cos + v * sin) / ru;
      const b = (-u * sin + v * cos) / rv;
      if (a * a + b * b > 1) continue;
      hu[r * cols + c] = s.hu + s.texture * textureAt(s.tex, u, v, z);
      labels[r * cols + c] = s.label;
    }
  }
}
