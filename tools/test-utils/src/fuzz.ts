/**
 * A seeded, bounded fuzzer for file readers: it mutates small real files (bit flips, byte overwrites,
 * truncation, splices, deletions, insertions, and length-field tweaks) and checks that the reader either
 * returns or throws an Error whose message is one line naming the input, within a time bound and
 * without tripping a raw JavaScript error ("Invalid typed array length", "Cannot read properties of
 * undefined", a stack overflow...). Every iteration has its own generator derived from (seed, iteration),
 * so a failure is replayed by running that one iteration again.
 */

/** mulberry32: a small, fast, seedable generator of floats in [0, 1). */
export function seededGenerator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator of one iteration: independent of every other iteration's. */
export function iterationGenerator(seed: number, iteration: number): () => number {
  return seededGenerator(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(iteration + 1, 0xc2b2ae35));
}

/** Values that tend to break length and offset fields. */
const INTERESTING = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

export interface Mutation {
  bytes: Uint8Array;
  /** What was done, e.g. "flip bit 3 of byte 120; truncate to 900". */
  description: string;
}

function randomInt(random: () => number, n: number): number {
  return Math.floor(random() * n);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

type Mutator = (bytes: Uint8Array, random: () => number, donor: Uint8Array) => [Uint8Array, string];

const MUTATORS: Mutator[] = [
  (b, r) => {
    if (b.length === 0) return [b, 'nothing to flip'];
    const at = randomInt(r, b.length);
    const bit = randomInt(r, 8);
    const out = b.slice();
    out[at]! ^= 1 << bit;
    return [out, `flip bit ${bit} of byte ${at}`];
  },
  (b, r) => {
    if (b.length === 0) return [b, 'nothing to overwrite'];
    const at = randomInt(r, b.length);
    const value = [0, 0xff, randomInt(r, 256)][randomInt(r, 3)]!;
    const out = b.slice();
    out[at] = value;
    return [out, `set byte ${at} to ${value}`];
  },
  (b, r) => {
    const length = randomInt(r, b.length + 1);
    return [b.slice(0, length), `truncate to ${length} bytes`];
  },
  (b, r) => {
    // A 2-, 4- or 8-byte little- or big-endian field set to an interesting value (or nudged by ±1).
    const width = [2, 4, 8][randomInt(r, 3)]!;
    if (b.length < width) return [b, 'too short for a length field'];
    const at = randomInt(r, b.length - width + 1);
    const little = r() < 0.5;
    const out = b.slice();
    const view = new DataView(out.buffer);
    let value: number;
    if (r() < 0.3) {
      const old = width === 2 ? view.getUint16(at, little) : width === 4 ? view.getUint32(at, little) : Number(view.getBigUint64(at, little));
      value = Math.max(0, old + (r() < 0.5 ? -1 : 1));
    } else value = INTERESTING[randomInt(r, INTERESTING.length)]!;
    if (width === 2) view.setUint16(at, value & 0xffff, little);
    else if (width === 4) view.setUint32(at, value >>> 0, little);
    else view.setBigUint64(at, r() < 0.2 ? 0xffffffffffffffffn : BigInt(value), little);
    return [out, `set the ${width * 8}-bit ${little ? 'LE' : 'BE'} field at ${at} to ${value}`];
  },
  (b, r, donor) => {
    // Splice: a chunk of this or another seed file pasted over (or into) this one.
    const source = r() < 0.5 ? b : donor;
    if (source.length === 0 || b.length === 0) return [b, 'nothing to splice'];
    const from = randomInt(r, source.length);
    const length = 1 + randomInt(r, Math.min(256, source.length - from));
    const chunk = source.slice(from, from + length);
    const at = randomInt(r, b.length);
    if (r() < 0.5) {
      const out = b.slice();
      out.set(chunk.subarray(0, out.length - at), at);
      return [out, `paste ${length} bytes from ${source === b ? 'itself' : 'another seed'} at ${from} over byte ${at}`];
    }
    return [concat(b.subarray(0, at), chunk, b.subarray(at)), `insert ${length} bytes from ${source === b ? 'itself' : 'another seed'} at ${at}`];
  },
  (b, r) => {
    if (b.length === 0) return [b, 'nothing to delete'];
    const at = randomInt(r, b.length);
    const length = 1 + randomInt(r, Math.min(64, b.length - at));
    return [concat(b.subarray(0, at), b.subarray(at + length)), `delete ${length} bytes at ${at}`];
  },
];

/** One to three random mutations of `input`, with `donor` (another seed file) as splice material. */
export function mutate(input: Uint8Array, random: () => number, donor: Uint8Array = input): Mutation {
  let bytes = input;
  const steps: string[] = [];
  const rounds = 1 + randomInt(random, 3);
  for (let k = 0; k < rounds; k++) {
    const [next, description] = MUTATORS[randomInt(random, MUTATORS.length)]!(bytes, random, donor);
    bytes = next;
    steps.push(description);
  }
  return { bytes, description: steps.join('; ') };
}

export interface FuzzSeed {
  name: string;
  bytes: Uint8Array;
}

export interface FuzzTarget {
  /** The format, e.g. "torch zip checkpoint". */
  name: string;
  seeds: FuzzSeed[];
  /**
   * Reads the mutated bytes, naming them `source` in any error, and returns how many bytes of arrays the
   * result holds (checked against `maxResultBytes`). May be async.
   */
  read: (bytes: Uint8Array, source: string) => number | Promise<number>;
  /** Largest result (bytes of decoded arrays) accepted; the reader must refuse beyond it. */
  maxResultBytes: number;
}

export interface FuzzOptions {
  iterations: number;
  seed: number;
  /** Per-input wall-clock bound in milliseconds. */
  timeLimitMs: number;
  /** Called after each input (progress for long runs). */
  onInput?: (iteration: number) => void;
}

export interface FuzzFailure {
  iteration: number;
  seed: string;
  mutation: string;
  problem: string;
}

export interface FuzzReport {
  target: string;
  iterations: number;
  accepted: number;
  refused: number;
  failures: FuzzFailure[];
  slowestMs: number;
  /** The most distinct first words of refusals, to see that the mutations reach different checks. */
  distinctErrors: number;
}

/** Messages that mean a reader let a raw JavaScript or runtime error escape instead of a clear one. */
const RAW_ERRORS =
  /Invalid typed array length|Invalid array length|Cannot read propert|Cannot set propert|is not a function|is not iterable|is not a constructor|Maximum call stack|out of memory|Array buffer allocation failed|Offset is outside the bounds|Start offset -?\d+ is outside|Invalid DataView length|byte length of \w+Array should be|EISDIR|ENOENT|EACCES/;

/** Checks one error against the contract: an Error, one line, naming the source, not a raw engine message. */
export function errorProblem(error: unknown, source: string): string | null {
  if (!(error instanceof Error)) return `threw a non-Error: ${String(error)}`;
  const { message } = error;
  if (message.includes('\n')) return `message has several lines: ${JSON.stringify(message.slice(0, 300))}`;
  if (!message.includes(source)) return `message does not name the input: ${JSON.stringify(message.slice(0, 300))}`;
  if (RAW_ERRORS.test(message) || ['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError'].includes(error.name)) {
    return `raw ${error.name}: ${JSON.stringify(message.slice(0, 300))}`;
  }
  return null;
}

/** Replays one iteration's input (for debugging a reported failure). */
export function fuzzInput(target: FuzzTarget, seed: number, iteration: number): Mutation & { seed: string } {
  const random = iterationGenerator(seed, iteration);
  const base = target.seeds[Math.floor(random() * target.seeds.length)]!;
  const donor = target.seeds[Math.floor(random() * target.seeds.length)]!;
  return { ...mutate(base.bytes, random, donor.bytes), seed: base.name };
}

/** Runs `iterations` mutated inputs through `target.read` and reports every broken contract. */
export async function fuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const report: FuzzReport = { target: target.name, iterations: 0, accepted: 0, refused: 0, failures: [], slowestMs: 0, distinctErrors: 0 };
  const kinds = new Set<string>();
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    const input = fuzzInput(target, options.seed, iteration);
    const source = `fuzz-${iteration}.bin`;
    const fail = (problem: string) => report.failures.push({ iteration, seed: input.seed, mutation: input.description, problem });
    const start = performance.now();
    try {
      const resultBytes = await target.read(input.bytes, source);
      report.accepted++;
      if (!(resultBytes <= target.maxResultBytes)) fail(`accepted a result of ${resultBytes} bytes, beyond ${target.maxResultBytes}`);
    } catch (error) {
      report.refused++;
      const problem = errorProblem(error, source);
      if (problem) fail(problem);
      else kinds.add((error as Error).message.replace(source, '').replace(/\d+/g, 'N').slice(0, 60));
    }
    const elapsed = performance.now() - start;
    report.slowestMs = Math.max(report.slowestMs, elapsed);
    if (elapsed > options.timeLimitMs) fail(`took ${elapsed.toFixed(0)} ms, beyond ${options.timeLimitMs} ms`);
    report.iterations++;
    options.onInput?.(iteration);
  }
  report.distinctErrors = kinds.size;
  return report;
}

/** One line per failure (at most `limit`), for test messages and the long-run script. */
export function describeFailures(report: FuzzReport, limit = 10): string {
  return report.failures
    .slice(0, limit)
    .map((f) => `${report.target} #${f.iteration} (${f.seed}: ${f.mutation}): ${f.problem}`)
    .join('\n');
}

/**
 * The long-run entry point for `bench/fuzz.ts` scripts: `--iterations N` (default 5000), `--seed S`
 * (default: the time), `--target text` (only targets whose name contains it), `--time-limit ms`.
 * Prints one summary line per target and every failure; resolves to the exit code.
 */
export async function runFuzzScript(targets: FuzzTarget[], argv: readonly string[]): Promise<number> {
  const arg = (name: string) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const iterations = Number(arg('iterations') ?? 5000);
  const seed = Number(arg('seed') ?? Date.now() % 2 ** 31);
  const timeLimitMs = Number(arg('time-limit') ?? 5000);
  const only = arg('target');
  let failed = 0;
  for (const target of targets.filter((t) => !only || t.name.includes(only))) {
    const started = performance.now();
    const report = await fuzz(target, { iterations, seed, timeLimitMs });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${target.name}: ${report.iterations} inputs (seed ${seed}) in ${seconds} s: ${report.accepted} read, ${report.refused} refused ` +
        `(${report.distinctErrors} distinct errors), slowest ${report.slowestMs.toFixed(0)} ms, ${report.failures.length} failures`,
    );
    if (report.failures.length > 0) console.log(describeFailures(report, 50));
    failed += report.failures.length;
  }
  return failed > 0 ? 1 : 0;
}
