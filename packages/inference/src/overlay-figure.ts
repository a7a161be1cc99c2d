import { drawText, GLYPH_HEIGHT, textWidth, type RgbaImage } from '@levit-unet/raster';
import { blendOverlay, SYNAPSE_PALETTE } from './overlay.js';

/** Options of `overlayFigure`: class names, colours, opacity, scale and flips. */
export interface OverlayFigureOptions {
  /** Legend names indexed by label value (index 0, the background, is not listed), e.g. `SYNAPSE_DISPLAY_NAMES`. */
  classNames: readonly string[];
  palette?: ReadonlyArray<readonly [number, number, number]>;
  /** Mask opacity (default 0.45). */
  alpha?: number;
  /** Integer nearest-neighbour upscaling; default the smallest that makes the longer side ≥ 256 px. */
  scale?: number;
  /** Mirror for display (e.g. to show anterior at the top and the patient's right on the left). */
  flipRows?: boolean;
  flipColumns?: boolean;
}

const BACKGROUND: readonly [number, number, number] = [24, 24, 24];
const TEXT: readonly [number, number, number] = [235, 235, 235];
const PAD = 6;
const LINE = GLYPH_HEIGHT + 5;

function fill(image: RgbaImage, x: number, y: number, w: number, h: number, rgb: readonly [number, number, number]): void {
  for (let py = Math.max(0, y); py < Math.min(image.height, y + h); py++) {
    for (let px = Math.max(0, x); px < Math.min(image.width, x + w); px++) {
      const o = (py * image.width + px) * 4;
      image.data[o] = rgb[0];
      image.data[o + 1] = rgb[1];
      image.data[o + 2] = rgb[2];
      image.data[o + 3] = 255;
    }
  }
}

/**
 * The paper's qualitative figure for one slice: the grey image (values in [0, 1]) with the organ masks
 * blended in their palette colours, and beside it a legend box listing each class name with its colour.
 * `image` and `labels` are (height, width) row-major.
 */
export function renderOverlayFigure(
  image: Float32Array,
  labels: ArrayLike<number>,
  width: number,
  height: number,
  options: OverlayFigureOptions,
): RgbaImage {
  if (image.length !== width * height || labels.length !== width * height) {
    throw new Error(`renderOverlayFigure: image (${image.length}) and labels (${labels.length}) must both have ${width}x${height} values`);
  }
  const palette = options.palette ?? SYNAPSE_PALETTE;
  const scale = Math.max(1, Math.floor(options.scale ?? Math.ceil(256 / Math.max(width, height))));
  const w = width * scale;
  const h = height * scale;
  const grey = new Float32Array(w * h);
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.floor(y / scale);
    const row = options.flipRows ? height - 1 - sy : sy;
    for (let x = 0; x < w; x++) {
      const sx = Math.floor(x / scale);
      const col = options.flipColumns ? width - 1 - sx : sx;
      grey[y * w + x] = image[row * width + col]!;
      mask[y * w + x] = labels[row * width + col]!;
    }
  }
  const blended = blendOverlay(grey, mask, w, h, palette, options.alpha ?? 0.45);
  const names = options.classNames.slice(1);
  const swatch = GLYPH_HEIGHT + 1;
  const legendWidth = PAD * 3 + swatch + Math.max(0, ...names.map((n) => textWidth(n)));
  const legendHeight = PAD * 2 + names.length * LINE;
  const out: RgbaImage = { width: w + legendWidth + PAD, height: Math.max(h, legendHeight + PAD), data: new Uint8ClampedArray(0) };
  out.data = new Uint8ClampedArray(out.width * out.height * 4);
  fill(out, 0, 0, out.width, out.height, BACKGROUND);
  for (let y = 0; y < h; y++) out.data.set(blended.data.subarray(y * w * 4, (y + 1) * w * 4), y * out.width * 4);
  // The legend box: a light frame, then one line per class with its colour swatch.
  const x0 = w + PAD;
  fill(out, x0, 0, legendWidth, legendHeight, [90, 90, 90]);
  fill(out, x0 + 1, 1, legendWidth - 2, legendHeight - 2, [40, 40, 40]);
  names.forEach((name, k) => {
    const y = PAD + k * LINE;
    fill(out, x0 + PAD, y, swatch, swatch, palette[1 + (k % (palette.length - 1))]!);
    drawText(out, name, x0 + PAD * 2 + swatch, y + 1, TEXT);
  });
  return out;
}
