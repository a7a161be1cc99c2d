/** An 8-bit RGBA image, row-major, 4 bytes per pixel: what overlays, figures and curves draw into and PNG writing reads. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}
