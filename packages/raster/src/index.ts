export type { RgbaImage } from './rgba-image.js';
export { drawText, textWidth, GLYPH_WIDTH, GLYPH_HEIGHT } from './bitmap-font.js';
