import { drawText, GLYPH_HEIGHT, textWidth, type RgbaImage } from '@levit-unet/raster';

type Rgb = [number, number, number];

/** One curve: its points, colour and legend name. */
export interface CurveSeries {
  /** x values (iterations) and y values, same length. */
  x: number[];
  y: number[];
  color: Rgb;
  /** Name in the panel's legend. */
  label?: string;
  /** Draw dots instead of a line (sparse series such as validation Dice). */
  dots?: boolean;
}

/** One panel of a curves figure: its series, title and y range. */
export interface CurvePanel {
  series: CurveSeries[];
  /** Printed above the panel, left of the legend. */
  title?: string;
  /** y range; default the data's. */
  yRange?: [number, number];
}

/** Where a panel's data area lies in the image (pixels, inclusive). */
export interface PlotArea {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The drawn image, and where each panel's data went (for callers that annotate it, and for tests). */
export interface CurvePlot extends RgbaImage {
  areas: PlotArea[];
}

const PAD = 6;
const TEXT: Rgb = [40, 40, 40];
const FRAME: Rgb = [0, 0, 0];
const GRID: Rgb = [225, 225, 225];
const GRID_LINES = 4;

/** A short tick label: integers as they are, else 3 significant digits without trailing zeros. */
function tick(value: number): string {
  if (Number.isInteger(value) || Math.abs(value) >= 1000) return value.toFixed(0);
  return String(Number(value.toPrecision(3)));
}

/**
 * Draws panels stacked vertically (e.g. training loss, then validation Dice, against iteration) into an
 * RGBA buffer: per panel a title and legend, a frame, grid lines with y values at the left, the first and
 * last x value below, and lines or dots per series. Hand-written (a few dozen lines, with datasets' bitmap
 * font) to avoid a canvas dependency in a package that runs in browsers.
 */
export function plotCurves(panels: CurvePanel[], width = 800, height = 300 * panels.length, xLabel = 'iteration'): CurvePlot {
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  const image: CurvePlot = { width, height, data, areas: [] };
  const put = (x: number, y: number, [r, g, b]: Rgb) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (Math.round(y) * width + Math.round(x)) * 4;
    data[i] = r;
    data[i + 1] = g;
    data[i + 2] = b;
    data[i + 3] = 255;
  };
  const line = (x0: number, y0: number, x1: number, y1: number, color: Rgb) => {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let s = 0; s <= steps; s++) put(x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, color);
  };
  const xs = panels.flatMap((p) => p.series.flatMap((s) => s.x));
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, xMin + 1);
  const panelHeight = Math.floor(height / Math.max(1, panels.length));
  panels.forEach((panel, n) => {
    const ys = panel.series.flatMap((s) => s.y.filter(Number.isFinite));
    let [yMin, yMax] = panel.yRange ?? [Math.min(...ys, Infinity), Math.max(...ys, -Infinity)];
    if (!Number.isFinite(yMin) || !Number.isFinite(yMax)) [yMin, yMax] = [0, 1];
    if (yMax === yMin) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
    const yTicks = Array.from({ length: GRID_LINES + 1 }, (_, g) => yMax - ((yMax - yMin) * g) / GRID_LINES);
    const top = n * panelHeight + PAD * 2 + GLYPH_HEIGHT;
    const bottom = (n + 1) * panelHeight - PAD * 2 - GLYPH_HEIGHT;
    const left = PAD * 2 + Math.max(...yTicks.map((v) => textWidth(tick(v))));
    const right = width - PAD * 2;
    image.areas.push({ left, top, right, bottom });
    // Title, then a legend of colour swatches and names on the same line.
    let legendX = left;
    if (panel.title) {
      drawText(image, panel.title, legendX, top - PAD - GLYPH_HEIGHT, TEXT);
      legendX += textWidth(panel.title) + PAD * 3;
    }
    for (const series of panel.series) {
      if (!series.label) continue;
      for (let dy = 0; dy < GLYPH_HEIGHT; dy++) line(legendX, top - PAD - GLYPH_HEIGHT + dy, legendX + 10, top - PAD - GLYPH_HEIGHT + dy, series.color);
      drawText(image, series.label, legendX + 14, top - PAD - GLYPH_HEIGHT, TEXT);
      legendX += 14 + textWidth(series.label) + PAD * 2;
    }
    const px = (x: number) => left + ((x - xMin) / (xMax - xMin)) * (right - left);
    const py = (y: number) => bottom - ((y - yMin) / (yMax - yMin)) * (bottom - top);
    yTicks.forEach((value, g) => {
      const y = top + ((bottom - top) * g) / GRID_LINES;
      if (g > 0 && g < GRID_LINES) line(left, y, right, y, GRID);
      const label = tick(value);
      drawText(image, label, left - PAD - textWidth(label), Math.round(y - GLYPH_HEIGHT / 2), TEXT);
    });
    line(left, top, right, top, FRAME);
    line(left, bottom, right, bottom, FRAME);
    line(left, top, left, bottom, FRAME);
    line(right, top, right, bottom, FRAME);
    const xLabels = [tick(xMin), xLabel, tick(xMax)];
    drawText(image, xLabels[0]!, left, bottom + PAD, TEXT);
    drawText(image, xLabels[1]!, Math.round((left + right - textWidth(xLabels[1]!)) / 2), bottom + PAD, TEXT);
    drawText(image, xLabels[2]!, right - textWidth(xLabels[2]!), bottom + PAD, TEXT);
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
  return image;
}
