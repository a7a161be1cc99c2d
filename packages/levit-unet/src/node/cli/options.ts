import { InvalidArgumentError } from 'commander';

/** A commander parser for positive integers that names the option in its error. */
export function parsePositiveInt(option: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${option} must be a positive integer, got "${value}"`);
    return n;
  };
}
