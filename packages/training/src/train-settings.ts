import { LR_SCHEDULE_KINDS } from './lr-schedule.js';
import { OPTIMIZER_NAMES } from './optimizer-config.js';

/**
 * One schema for training settings: a command-line flag (text), a --config file or preset (JSON values)
 * and the API (`train`'s options) are all checked by `checkSetting`, so a value refused in one place is
 * refused in every other. Flags go through `parseSetting`, which turns the text into a value first.
 */
export type SettingSpec =
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'number'; min: number; max?: number; above?: boolean }
  | { kind: 'choice'; choices: readonly string[] }
  | { kind: 'boolean' }
  | { kind: 'weights' };

/** The settings of `TrainConfig` (the optimizer as its name, weight decay and momentum). */
export const TRAIN_SETTINGS = {
  numClasses: { kind: 'integer', min: 2, max: 4096 },
  optimizer: { kind: 'choice', choices: OPTIMIZER_NAMES },
  lr: { kind: 'number', min: 0 },
  weightDecay: { kind: 'number', min: 0 },
  momentum: { kind: 'number', min: 0, max: 1 },
  schedule: { kind: 'choice', choices: LR_SCHEDULE_KINDS },
  polyPower: { kind: 'number', min: 0, above: true },
  epochs: { kind: 'integer', min: 1 },
  maxSteps: { kind: 'integer', min: 1 },
  batchSize: { kind: 'integer', min: 1 },
  seed: { kind: 'integer' },
  shuffle: { kind: 'boolean' },
  dropLast: { kind: 'boolean' },
  lossWeights: { kind: 'weights' },
  valEvery: { kind: 'integer', min: 1 },
  saveEvery: { kind: 'integer', min: 1 },
} as const satisfies Record<string, SettingSpec>;

/** What a setting accepts, in words. */
export function describeSetting(spec: SettingSpec): string {
  switch (spec.kind) {
    case 'integer':
      if (spec.min !== undefined && spec.max !== undefined) return `an integer from ${spec.min} to ${spec.max}`;
      return spec.min === undefined ? 'an integer' : spec.min === 1 ? 'a positive integer' : `an integer >= ${spec.min}`;
    case 'number':
      return `a finite number ${spec.above ? '>' : '>='} ${spec.min}${spec.max === undefined ? '' : ` and <= ${spec.max}`}`;
    case 'choice':
      return `one of ${spec.choices.join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'weights':
      return 'two numbers >= 0 [ce, dice], not both 0';
  }
}

function valid(spec: SettingSpec, value: unknown): boolean {
  switch (spec.kind) {
    case 'integer':
      return Number.isSafeInteger(value) && (spec.min === undefined || (value as number) >= spec.min) && (spec.max === undefined || (value as number) <= spec.max);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && (spec.above ? value > spec.min : value >= spec.min) && (spec.max === undefined || value <= spec.max);
    case 'choice':
      return typeof value === 'string' && spec.choices.includes(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'weights':
      return (
        Array.isArray(value) &&
        value.length === 2 &&
        value.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0) &&
        (value[0] as number) + (value[1] as number) > 0
      );
  }
}

/** `value` if `spec` accepts it; else one line: "`where`name must be …, got …". */
export function checkSetting<T>(name: string, spec: SettingSpec, value: T, where = ''): T {
  if (!valid(spec, value)) throw new Error(`${where}${name} must be ${describeSetting(spec)}, got ${typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value))}`);
  return value;
}

/** A flag's text as the setting's value (the whole text must be a number: "0x10" and "8px" are refused), checked by `checkSetting`. */
export function parseSetting(flag: string, spec: SettingSpec, text: string): unknown {
  const number = (s: string) => (/^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(s) ? Number(s) : NaN);
  const value =
    spec.kind === 'integer' || spec.kind === 'number'
      ? number(text)
      : spec.kind === 'boolean'
        ? text === 'true' ? true : text === 'false' ? false : text
        : spec.kind === 'weights'
          ? text.split(',').map(number)
          : text;
  if (!valid(spec, value)) throw new Error(`${flag} must be ${describeSetting(spec)}, got "${text}"`);
  return value;
}
