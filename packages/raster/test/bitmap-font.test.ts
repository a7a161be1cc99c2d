import { describe, expect, it } from 'vitest';
import { drawText, GLYPH_HEIGHT, textWidth, type RgbaImage } from '../src/index.js';

describe('drawText', () => {
  it('draws the 5x7 glyphs: "I" is a vertical bar with serifs, "-" one middle row', () => {
    const image: RgbaImage = { width: 12, height: GLYPH_HEIGHT, data: new Uint8ClampedArray(12 * GLYPH_HEIGHT * 4) };
    drawText(image, 'I-', 0, 0, [255, 0, 0]);
    const on = (x: number, y: number) => image.data[(y * image.width + x) * 4] === 255;
    // glcdfont 'I' = columns 0x00 0x41 0x7f 0x41 0x00: top and bottom serif, full middle column.
    expect(Array.from({ length: GLYPH_HEIGHT }, (_, y) => [1, 2, 3].map((x) => (on(x, y) ? '#' : '.')).join(''))).toEqual([
      '###', '.#.', '.#.', '.#.', '.#.', '.#.', '###',
    ]);
    expect(Array.from({ length: GLYPH_HEIGHT }, (_, y) => on(8, y))).toEqual([false, false, false, true, false, false, false]);
  });

  it('measures text as 6 pixels per character and scale, and clips at the image border', () => {
    expect(textWidth('Loss', 2)).toBe(48);
    const image: RgbaImage = { width: 4, height: 4, data: new Uint8ClampedArray(4 * 4 * 4) };
    drawText(image, 'WWW', -2, -2, [9, 9, 9], 3);
    expect(image.data.some((v) => v === 9)).toBe(true);
  });
});
