/** Typed arrays a label map can hold. Labels must be non-negative integers whatever the type. */
export type LabelArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** A 2-D or 3-D label map in C order (last axis fastest): value c marks class c, 0 is background. */
export interface LabelMap {
  readonly data: LabelArray;
  readonly shape: readonly number[];
}

/** Throws unless `map` is a 2-D or 3-D label map whose data length matches its shape. */
export function assertLabelMapShape(name: string, map: LabelMap): void {
  const { data, shape } = map;
  if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 3)) {
    throw new Error(`${name}.shape must have 2 or 3 axes, got ${JSON.stringify(shape)}`);
  }
  for (const n of shape) {
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`${name}.shape must hold positive integers, got ${JSON.stringify(shape)}`);
    }
  }
  if (!ArrayBuffer.isView(data) || data instanceof DataView) {
    throw new Error(`${name}.data must be a typed array`);
  }
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new Error(
      `${name}.data has ${data.length} elements but ${name}.shape ${JSON.stringify(shape)} needs ${expected}`,
    );
  }
}

/** Throws unless the two maps have the same shape. */
export function assertSameShape(pred: LabelMap, gt: LabelMap): void {
  const same = pred.shape.length === gt.shape.length && pred.shape.every((n, k) => n === gt.shape[k]);
  if (!same) {
    throw new Error(
      `pred.shape ${JSON.stringify(pred.shape)} must equal gt.shape ${JSON.stringify(gt.shape)}`,
    );
  }
}

/**
 * The most classes scored at once. The confusion matrix holds numClasses² counts (8 bytes each): 4096 classes
 * take 128 MiB, while 30,000 would take 7 GB; segmentation label maps have tens to hundreds of classes.
 */
export const MAX_NUM_CLASSES = 4096;

/** Throws unless `numClasses` is an integer in [2, MAX_NUM_CLASSES] (background plus at least one class). */
export function assertNumClasses(numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new Error(`numClasses must be an integer ≥ 2 (background included), got ${numClasses}`);
  }
  if (numClasses > MAX_NUM_CLASSES) {
    throw new Error(
      `numClasses ${numClasses} is too large: at most ${MAX_NUM_CLASSES} classes are supported (the confusion matrix ` +
        `would need ${((numClasses * numClasses * 8) / 2 ** 30).toFixed(1)} GiB)`,
    );
  }
}

const unsignedIntegerArrays = [Uint8Array, Uint8ClampedArray, Uint16Array, Uint32Array];

/**
 * True when every byte of a 4-byte-aligned byte array is below `numClasses` ≤ 128, tested four at a time
 * (SWAR): adding 128 − C to a byte b < 128 sets its high bit exactly when b ≥ C, and cannot carry into the next
 * byte; a byte ≥ 128 already has its high bit set. Returns false when the test does not apply.
 */
function bytesBelow(data: LabelArray, numClasses: number): boolean {
  if (data.BYTES_PER_ELEMENT !== 1 || data.byteOffset % 4 !== 0 || numClasses > 128) return false;
  const words = new Uint32Array(data.buffer, data.byteOffset, data.length >> 2);
  const add = (128 - numClasses) * 0x01010101;
  for (let w = 0; w < words.length; w++) {
    const word = words[w];
    if (((word | (word + add)) & 0x80808080) !== 0) return false;
  }
  for (let i = words.length << 2; i < data.length; i++) if (data[i] >= numClasses) return false;
  return true;
}

/** Index of the first label that is not an integer in [0, numClasses), or −1. */
function firstBadLabel(data: LabelArray, numClasses: number): number {
  if (unsignedIntegerArrays.some((type) => data instanceof type)) {
    // Unsigned integers can only fail the upper bound.
    if (bytesBelow(data, numClasses)) return -1;
    for (let i = 0; i < data.length; i++) if (data[i] >= numClasses) return i;
    return -1;
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= 0 && v < numClasses && Math.floor(v) === v)) return i;
  }
  return -1;
}

/** Throws on the first label that is not an integer in [0, numClasses). */
export function assertLabels(name: string, data: LabelArray, numClasses: number): void {
  const bad = firstBadLabel(data, numClasses);
  if (bad < 0) return;
  const v = data[bad];
  const what = !Number.isInteger(v)
    ? 'is not an integer label'
    : v < 0
      ? 'is a negative label'
      : `is out of range: labels must be integers in [0, numClasses) = [0, ${numClasses})`;
  throw new Error(`${name}.data[${bad}] = ${v} ${what}`);
}

/** All the checks a (pred, gt) pair needs before it is scored. */
export function assertLabelMapPair(pred: LabelMap, gt: LabelMap, numClasses: number): void {
  assertLabelMapShape('pred', pred);
  assertLabelMapShape('gt', gt);
  assertSameShape(pred, gt);
  assertNumClasses(numClasses);
  assertLabels('pred', pred.data, numClasses);
  assertLabels('gt', gt.data, numClasses);
}
