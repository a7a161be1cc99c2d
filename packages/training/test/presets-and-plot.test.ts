import { describe, expect, it } from 'vitest';
import { plotCurves, TRAINING_PRESETS, trainingPreset } from '../src/index.js';

describe('presets', () => {
  it("paper is the LeViT-UNet paper's Adam recipe, transunet TransUNet's trainer_synapse defaults", () => {
    expect(trainingPreset('paper')).toMatchObject({ optimizer: { name: 'adam', weightDecay: 1e-4 }, lr: 1e-5, batchSize: 8, imgSize: 224, augment: true, schedule: 'constant' });
    expect(TRAINING_PRESETS.transunet).toMatchObject({
      optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 1e-4 },
      lr: 0.01,
      schedule: 'poly',
      polyPower: 0.9,
      batchSize: 24,
      epochs: 150,
    });
    expect(() => trainingPreset('fast')).toThrow(/unknown training preset "fast": expected paper or transunet/);
  });
});

describe('plotCurves', () => {
  const red = (image: { width: number; data: Uint8ClampedArray }, x: number, y: number) => {
    const i = (y * image.width + x) * 4;
    return image.data[i] === 255 && image.data[i + 1] === 0 && image.data[i + 2] === 0;
  };
  const darkIn = (image: { width: number; data: Uint8ClampedArray }, x0: number, x1: number, y0: number, y1: number) => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (image.data[(y * image.width + x) * 4]! < 100 && !red(image, x, y)) n++;
    return n;
  };

  it('draws a rising line from the bottom-left to the top-right corner of its data area', () => {
    const image = plotCurves([{ series: [{ x: [0, 10], y: [0, 1], color: [255, 0, 0] }] }], 200, 120);
    expect(image.data).toHaveLength(200 * 120 * 4);
    const [area] = image.areas;
    expect(area!.left).toBeGreaterThan(0);
    expect(area!.right).toBeLessThan(200);
    expect(red(image, area!.left, area!.bottom)).toBe(true);
    expect(red(image, area!.right, area!.top)).toBe(true);
    const midX = Math.round((area!.left + area!.right) / 2);
    expect(red(image, midX, Math.round((area!.top + area!.bottom) / 2))).toBe(true);
    expect(red(image, area!.left + 5, area!.top + 5)).toBe(false);
  });

  it('labels the axes and names the series: y values left of the frame, x values below it, title and legend above', () => {
    const withText = plotCurves([{ title: 'loss', series: [{ x: [0, 500], y: [0.25, 2], color: [255, 0, 0], label: 'CE' }] }], 300, 150);
    const [area] = withText.areas;
    // '2', '0.25' etc. left of the frame; '0', 'iteration', '500' below it; title and legend above it.
    expect(darkIn(withText, 0, area!.left - 2, area!.top - 4, area!.bottom + 4)).toBeGreaterThan(20);
    expect(darkIn(withText, area!.left, area!.right, area!.bottom + 2, withText.height)).toBeGreaterThan(40);
    expect(darkIn(withText, area!.left, area!.right, 0, area!.top - 1)).toBeGreaterThan(20);
    // The legend swatch has the series' colour, above the data area.
    let swatch = false;
    for (let y = 0; y < area!.top - 1; y++) for (let x = area!.left; x < area!.right; x++) swatch ||= red(withText, x, y);
    expect(swatch).toBe(true);
  });
});
