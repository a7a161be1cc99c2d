import type { RgbaImage } from '@levit-unet/raster';

/** Colours per class id (0 = background, not drawn), in the spirit of the paper's qualitative figure. */
export const SYNAPSE_PALETTE: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 0],
  [0, 90, 255], // aorta
  [0, 200, 60], // gallbladder
  [255, 40, 40], // kidney L
  [0, 230, 230], // kidney R
  [230, 0, 230], // liver
  [255, 230, 0], // pancreas
  [150, 80, 255], // spleen
  [255, 140, 0], // stomach
];

/**
 * A grey image in [0, 1] with the label map blended over it: out = (1 − α)·grey + α·colour where the
 * label is non-zero. Classes beyond the palette cycle through it.
 */
export function blendOverlay(
  image: Float32Array,
  labels: ArrayLike<number> | null,
  width: number,
  height: number,
  palette: ReadonlyArray<readonly [number, number, number]> = SYNAPSE_PALETTE,
  alpha = 0.45,
): RgbaImage {
  if (image.length !== width * height || (labels && labels.length !== width * height)) {
    throw new Error(`blendOverlay: image (${image.length}) and labels (${labels?.length}) must both have ${width}×${height} values`);
  }
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const grey = Math.min(1, Math.max(0, image[i])) * 255;
    const label = labels ? labels[i] : 0;
    const colour = label > 0 ? palette[1 + ((label - 1) % (palette.length - 1))] : null;
    for (let c = 0; c < 3; c++) data[i * 4 + c] = colour ? (1 - alpha) * grey + alpha * colour[c] : grey;
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

/** Panels of equal height placed left to right with a gap. */
export function sideBySide(panels: RgbaImage[], gap = 4): RgbaImage {
  const height = Math.max(...panels.map((p) => p.height));
  const width = panels.reduce((w, p) => w + p.width, 0) + gap * (panels.length - 1);
  const data = new Uint8ClampedArray(width * height * 4);
  let x0 = 0;
  for (const panel of panels) {
    for (let y = 0; y < panel.height; y++) {
      data.set(panel.data.subarray(y * panel.width * 4, (y + 1) * panel.width * 4), (y * width + x0) * 4);
    }
    x0 += panel.width + gap;
  }
  return { width, height, data };
}
