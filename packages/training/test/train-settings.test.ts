/** The API checks its options with the schema the CLI's flags and --config files use (train-settings.ts). */
import { describe, expect, it } from 'vitest';
import { checkSetting, parseSetting, TRAIN_SETTINGS, TRAINING_PRESETS, type TrainConfig } from '../src/index.js';
import { resolveConfig } from '../src/node/run-config.js';

const base: TrainConfig = { numClasses: 9, optimizer: { name: 'adam' }, lr: 1e-4, batchSize: 2 };

describe('one schema for train options', () => {
  it.each([
    [{ optimizer: { name: 'rmsprop' } }, 'train: optimizer must be one of adam, sgd, got "rmsprop"'],
    [{ shuffle: 'no' }, 'train: shuffle must be true or false, got "no"'],
    [{ seed: 'x' }, 'train: seed must be an integer, got "x"'],
    [{ lossWeights: [0, 0] }, 'train: lossWeights must be two numbers >= 0 [ce, dice], not both 0, got [0,0]'],
    [{ lr: Infinity }, 'train: lr must be a finite number >= 0, got Infinity'],
    [{ optimizer: { name: 'sgd', momentum: -1 } }, 'train: momentum must be a finite number >= 0 and <= 1, got -1'],
    [{ numClasses: 1 }, 'train: numClasses must be an integer from 2 to 4096, got 1'],
  ])('the API refuses %j', (override, message) => {
    expect(() => resolveConfig({ ...base, ...(override as object) } as TrainConfig, 10)).toThrow(message);
  });

  it('every preset passes the schema', () => {
    for (const preset of Object.values(TRAINING_PRESETS)) {
      for (const [key, value] of Object.entries(preset)) {
        if (key === 'optimizer') checkSetting('optimizer', TRAIN_SETTINGS.optimizer, (value as { name: string }).name);
        else if (key in TRAIN_SETTINGS) checkSetting(key, TRAIN_SETTINGS[key as keyof typeof TRAIN_SETTINGS], value);
      }
      expect(() => resolveConfig({ ...base, ...preset } as TrainConfig, 10)).not.toThrow();
    }
  });

  it('flags parse only whole decimal numbers', () => {
    expect(parseSetting('--batch-size', TRAIN_SETTINGS.batchSize, '16')).toBe(16);
    expect(parseSetting('--lr', TRAIN_SETTINGS.lr, '1e-5')).toBe(1e-5);
    for (const text of ['0x10', '8px', '', '1e3.5', 'Infinity']) expect(() => parseSetting('--batch-size', TRAIN_SETTINGS.batchSize, text)).toThrow(`--batch-size must be a positive integer, got "${text}"`);
    expect(parseSetting('--loss-weights', TRAIN_SETTINGS.lossWeights, '0.3, 0.7')).toEqual([0.3, 0.7]);
  });
});
