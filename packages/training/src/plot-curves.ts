/** An 8-bit RGBA raster (same shape as datasets' `RgbaImage`). */
export interface CurveImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export interface CurveSeries {
  /** x values (iterations) and y values, same length. */
  x: number[];
  y: number[];
  color: [number, number, number];
  /** Draw dots instead of a line (sparse series such as validation Dice). */
  dots?: boolean;
}

export interface CurvePanel {
  series: CurveSeries[];
  /** y range; default the data's. */
  yRange?: [number, number];
}

const MARGIN = 12;

/**
 * Draws panels stacked vertically (e.g. training loss, then validation Dice, against iteration) into an
 * RGBA buffer: a frame, 4 horizontal grid lines, lines or dots per series. No text: the numbers are in
 * log.csv; this is the at-a-glance view. Hand-written (a few dozen lines) to avoid a canvas dependency.
 */
export function plotCurves(panels: CurvePanel[], width = 800, height = 300 * panels.length): CurveImage {
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  const put = (x: number, y: number, [r, g, b]: [number, number, number]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (Math.round(y) * width + Math.round(x)) * 4;
    data[i] = r;
    data[i + 1] = g;
    data[i + 2] = b;
    data[i + 3] = 255;
  };
  const line = (x0: number, y0: number, x1: number, y1: number, color: [number, number, number]) => {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let s = 0; s <= steps; s++) put(x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, color);
  };
  const xs = panels.flatMap((p) => p.series.flatMap((s) => s.x));
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, xMin + 1);
  const panelHeight = Math.floor(height / Math.max(1, panels.length));
  panels.forEach((panel, n) => {
    const top = n * panelHeight + MARGIN;
    const bottom = (n + 1) * panelHeight - MARGIN;
    const left = MARGIN;
    const right = width - MARGIN;
    const ys = panel.series.flatMap((s) => s.y.filter(Number.isFinite));
    let [yMin, yMax] = panel.yRange ?? [Math.min(...ys, Infinity), Math.max(...ys, -Infinity)];
    if (!Number.isFinite(yMin) || !Number.isFinite(yMax)) [yMin, yMax] = [0, 1];
    if (yMax === yMin) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
    const px = (x: number) => left + ((x - xMin) / (xMax - xMin)) * (right - left);
    const py = (y: number) => bottom - ((y - yMin) / (yMax - yMin)) * (bottom - top);
    for (let g = 1; g < 4; g++) line(left, top + ((bottom - top) * g) / 4, right, top + ((bottom - top) * g) / 4, [225, 225, 225]);
    line(left, top, right, top, [0, 0, 0]);
    line(left, bottom, right, bottom, [0, 0, 0]);
    line(left, top, left, bottom, [0, 0, 0]);
    line(right, top, right, bottom, [0, 0, 0]);
    for (const series of panel.series) {
      series.x.forEach((x, i) => {
        const y = series.y[i]!;
        if (!Number.isFinite(y)) return;
        if (series.dots) {
          for (let dx = -2; dx <= 2; dx++) for (let dy = -2; dy <= 2; dy++) put(px(x) + dx, py(y) + dy, series.color);
        } else if (i > 0 && Number.isFinite(series.y[i - 1]!)) {
          line(px(series.x[i - 1]!), py(series.y[i - 1]!), px(x), py(y), series.color);
        } else {
          put(px(x), py(y), series.color);
        }
      });
    }
  });
  return { width, height, data };
}
