/** The analytic images of fixtures/make_reference.py, rebuilt bit for bit (integer arithmetic, one f32 cast). */
export function pattern(h: number, w: number): { data: Float32Array; shape: number[] } {
  const data = new Float32Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) data[i * w + j] = ((i * 31 + j * 17) % 97) / 97 + ((i * i + 3 * j) % 13) / 26 - 0.4;
  }
  return { data, shape: [h, w] };
}

export function labelPattern(h: number, w: number): { data: Uint8Array; shape: number[] } {
  const data = new Uint8Array(h * w);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) data[i * w + j] = (Math.floor(i / 37) + Math.floor(j / 53)) % 9;
  return { data, shape: [h, w] };
}

export function indexImage<T extends Uint16Array | Int32Array>(
  Ctor: new (n: number) => T,
  h: number,
  w: number,
): { data: T; shape: number[] } {
  const data = new Ctor(h * w);
  for (let n = 0; n < h * w; n++) data[n] = n + 1;
  return { data, shape: [h, w] };
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Sums along the last axis of a 2-D C-order array (rows). */
export function rowSums(data: ArrayLike<number>, w: number): number[] {
  const sums: number[] = [];
  for (let r = 0; r * w < data.length; r++) {
    let s = 0;
    for (let c = 0; c < w; c++) s += data[r * w + c]!;
    sums.push(s);
  }
  return sums;
}

/** Byte-for-byte equality of two typed arrays (vitest's deep equality is slow on 10^5+ elements). */
export function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.compare(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) === 0;
}
