/**
 * Seeded weight initialisation. tfjs initialisers take a `seed` (and draw one from Math.random without it),
 * but layers build their weights deep inside model construction, so a seed cannot be passed to each: a
 * model factory runs its construction inside `withInitSeed(seed, build)`, and every random initialiser
 * created there takes the next seed of the scope (`nextInitSeed`). Construction is synchronous and its
 * order fixed, so one seed gives the same weights on every run and backend (tfjs draws initial values on
 * the CPU, in JavaScript), and each weight its own stream.
 */
interface InitSeedScope {
  readonly seed: number;
  next: number;
}

let scope: InitSeedScope | null = null;

/** Initialisers per scope before two scopes' seed ranges could meet (2^20; a LeViT-UNet-384 has a few hundred). */
const SEEDS_PER_SCOPE = 2 ** 20;

/** Runs `build` with seeded initialisers (unseeded, as tfjs, when `seed` is undefined); an inner scope replaces an outer one while it runs. */
export function withInitSeed<T>(seed: number | undefined, build: () => T): T {
  if (seed === undefined) return build();
  // seed · 2^20 + k stays an exact integer (tfjs seeds its generator with the number's decimal string).
  if (!Number.isInteger(seed) || Math.abs(seed) >= 2 ** 32) throw new Error(`the initialisation seed must be an integer of magnitude below 2^32, got ${seed}`);
  const outer = scope;
  scope = { seed, next: 0 };
  try {
    return build();
  } finally {
    scope = outer;
  }
}

/** The seed for the next random initialiser created in a `withInitSeed` scope; undefined outside one. */
export function nextInitSeed(): number | undefined {
  if (!scope) return undefined;
  if (scope.next >= SEEDS_PER_SCOPE) throw new Error(`more than ${SEEDS_PER_SCOPE} seeded initialisers in one model`);
  return scope.seed * SEEDS_PER_SCOPE + scope.next++;
}
