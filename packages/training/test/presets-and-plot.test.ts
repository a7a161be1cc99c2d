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
  it('draws a rising line from the bottom-left to the top-right corner of its panel', () => {
    const image = plotCurves([{ series: [{ x: [0, 10], y: [0, 1], color: [255, 0, 0] }] }], 100, 100);
    expect(image.data).toHaveLength(100 * 100 * 4);
    const red = (x: number, y: number) => {
      const i = (y * 100 + x) * 4;
      return image.data[i] === 255 && image.data[i + 1] === 0 && image.data[i + 2] === 0;
    };
    // panel interior spans 12..88 in both directions
    expect(red(12, 88)).toBe(true);
    expect(red(88, 12)).toBe(true);
    expect(red(50, 50)).toBe(true);
    expect(red(30, 50)).toBe(false);
  });
});
