/**
 * A small seeded PRNG (sfc32, 128-bit state, seeded through splitmix32) so augmentation and shuffling are
 * reproducible from one integer seed. It is not numpy's Mersenne Twister: the same seed does not give
 * the same draws as TransUNet's `random`/`np.random`, only the same distribution of draws.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A `() => number` uniform in [0, 1) for code that takes a bare random function (tests, benchmarks). */
  static stream(seed: number): () => number {
    const random = new SeededRandom(seed);
    return () => random.random();
  }

  /** Uniform in [0, 1) with 53 random bits, like Python's `random.random()`. */
  random(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform integer in [low, high), numpy's `randint` convention (exclusive upper bound). */
  randint(low: number, high: number): number {
    const span = high - low;
    if (!Number.isInteger(span) || span <= 0) throw new Error(`randint: empty range [${low}, ${high})`);
    return low + Math.floor(this.random() * span);
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.randint(0, i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/**
 * Mixes a seed with integer keys (epoch, sample index...) into a new 32-bit seed, so each sample's
 * augmentation depends only on (seed, epoch, index) and not on which worker decodes it or when.
 */
export function deriveSeed(seed: number, ...keys: number[]): number {
  let h = seed >>> 0;
  for (const key of keys) {
    h = Math.imul(h ^ (key >>> 0), 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca77);
    h ^= h >>> 13;
    h = Math.imul(h + 0x27d4eb2f, 0xc2b2ae3d);
    h ^= h >>> 16;
  }
  return h >>> 0;
}
