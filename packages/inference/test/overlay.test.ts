import { SYNAPSE_DISPLAY_NAMES } from '@levit-unet/datasets';
import { textWidth, type RgbaImage } from '@levit-unet/raster';
import { describe, expect, it } from 'vitest';
import { blendOverlay, renderOverlayFigure, sideBySide, SYNAPSE_PALETTE } from '../src/index.js';

function pixel(image: RgbaImage, x: number, y: number): number[] {
  return Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
}

describe('blendOverlay / sideBySide (copied from levit-unet)', () => {
  it('blends (1 − α)·grey + α·colour where labelled, grey elsewhere, opaque', () => {
    const image = Float32Array.from([0, 0.5, 1, 2]);
    const out = blendOverlay(image, [0, 1, 0, 9], 2, 2, SYNAPSE_PALETTE, 0.5);
    expect(pixel(out, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(out, 1, 0)).toEqual([Math.round(0.5 * 127.5), Math.round(0.5 * 127.5 + 45), Math.round(0.5 * 127.5 + 127.5), 255]);
    expect(pixel(out, 0, 1)).toEqual([255, 255, 255, 255]);
    // label 9 wraps to palette entry 1 + (8 % 8) = 1; the grey is clipped to 1: 127.5, 172.5, 255, which
    // Uint8ClampedArray rounds half to even.
    expect(pixel(out, 1, 1)).toEqual([128, 172, 255, 255]);
    expect(() => blendOverlay(image, [0], 2, 2)).toThrow(/must both have 2×2 values/);
  });

  it('places panels left to right with a gap', () => {
    const a = blendOverlay(new Float32Array(4).fill(1), null, 2, 2);
    const b = blendOverlay(new Float32Array(3), null, 1, 3);
    const out = sideBySide([a, b], 2);
    expect([out.width, out.height]).toEqual([5, 3]);
    expect(pixel(out, 1, 1)).toEqual([255, 255, 255, 255]);
    expect(pixel(out, 2, 0)).toEqual([0, 0, 0, 0]);
    expect(pixel(out, 4, 2)).toEqual([0, 0, 0, 255]);
  });
});

describe('renderOverlayFigure', () => {
  it('upscales the slice, blends the masks and adds a legend box with every class colour and name', () => {
    const [w, h] = [16, 8];
    const image = new Float32Array(w * h).fill(0.5);
    const labels = new Uint8Array(w * h);
    labels[3 * w + 5] = 5; // liver
    const figure = renderOverlayFigure(image, labels, w, h, { classNames: SYNAPSE_DISPLAY_NAMES, alpha: 1 });
    const scale = 16; // ceil(256 / 16)
    expect(figure.height).toBeGreaterThanOrEqual(h * scale);
    expect(figure.width).toBeGreaterThan(w * scale + textWidth('Gallbladder'));
    expect(pixel(figure, 5 * scale + 3, 3 * scale + 3).slice(0, 3)).toEqual([...SYNAPSE_PALETTE[5]!]);
    expect(pixel(figure, 0, 0).slice(0, 3)).toEqual([128, 128, 128]);
    // Each legend swatch is the class colour, in label order down the box.
    const legendColours = new Set<string>();
    for (let y = 0; y < figure.height; y++) {
      for (let x = w * scale; x < figure.width; x++) legendColours.add(pixel(figure, x, y).slice(0, 3).join());
    }
    for (const rgb of SYNAPSE_PALETTE.slice(1)) expect(legendColours.has(rgb.join())).toBe(true);
    expect(figure.data.every((v, i) => i % 4 !== 3 || v === 255)).toBe(true);
  });

  it('mirrors rows and columns for display on request', () => {
    const labels = Uint8Array.from([1, 0, 0, 0]);
    const plain = renderOverlayFigure(new Float32Array(4), labels, 2, 2, { classNames: ['bg', 'a'], scale: 1, alpha: 1 });
    const flipped = renderOverlayFigure(new Float32Array(4), labels, 2, 2, { classNames: ['bg', 'a'], scale: 1, alpha: 1, flipRows: true, flipColumns: true });
    expect(pixel(plain, 0, 0).slice(0, 3)).toEqual([...SYNAPSE_PALETTE[1]!]);
    expect(pixel(flipped, 1, 1).slice(0, 3)).toEqual([...SYNAPSE_PALETTE[1]!]);
    expect(pixel(flipped, 0, 0).slice(0, 3)).toEqual([0, 0, 0]);
  });
});
