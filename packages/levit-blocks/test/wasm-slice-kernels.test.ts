import { beforeAll, describe, expect, it } from 'vitest';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { SeededRandom } from '@levit-unet/datasets';
import { getKernel } from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from '../src/index.js';
import { copyBox } from '../src/wasm-slice-kernels.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels, 'wasm');
});

/** The flat (row-major) source index of every element of the box, in output order: the reference. */
function boxIndices(shape: number[], begin: number[], size: number[]): number[] {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  let indices = [0];
  for (let axis = 0; axis < shape.length; axis++) {
    const next: number[] = [];
    for (const base of indices) for (let i = 0; i < size[axis]!; i++) next.push(base + (begin[axis]! + i) * strides[axis]!);
    indices = next;
  }
  return size.some((s) => s === 0) ? [] : indices;
}

/** Random shapes of rank 1–5 with a random box inside, some boxes empty, whole or one element wide. */
function randomCases(count: number, seed: number): Array<{ shape: number[]; begin: number[]; size: number[] }> {
  const rand = SeededRandom.stream(seed);
  const int = (n: number) => Math.floor(rand() * n);
  return Array.from({ length: count }, () => {
    const shape = Array.from({ length: 1 + int(5) }, () => 1 + int(6));
    const begin = shape.map((n) => int(n));
    const size = shape.map((n, i) => {
      const r = rand();
      if (r < 0.2) return n - begin[i]!; // to the end
      if (r < 0.3) return begin[i] === 0 ? n : 1;
      return int(n - begin[i]! + 1); // may be 0
    });
    return { shape, begin, size };
  });
}

describe('copyBox', () => {
  it('copies every box of random shapes in row-major order (against index arithmetic)', () => {
    for (const { shape, begin, size } of randomCases(300, 11)) {
      const count = shape.reduce((a, b) => a * b, 1);
      const source = Float32Array.from({ length: count }, (_, i) => i);
      const expected = boxIndices(shape, begin, size);
      const out = new Float32Array(expected.length);
      copyBox(source, shape, begin, size, out);
      expect(Array.from(out), JSON.stringify({ shape, begin, size })).toEqual(expected);
    }
  });

  it('copies a scalar', () => {
    const out = new Int32Array(1);
    copyBox(Int32Array.of(7), [], [], [], out);
    expect(out[0]).toBe(7);
  });
});

describe('wasm Slice and SplitV (read the heap in place)', () => {
  it.each(['float32', 'int32', 'bool'] as const)('Slice returns the box of random %s tensors', (dtype) => {
    for (const { shape, begin, size } of randomCases(60, dtype.length)) {
      const count = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: count }, (_, i) => (dtype === 'bool' ? i % 3 === 0 : i));
      const x = tf.tensor(values as number[], shape, dtype);
      const sliced = tf.slice(x, begin, size);
      expect(sliced.shape).toEqual(size);
      expect(sliced.dtype).toBe(dtype);
      const expected = boxIndices(shape, begin, size).map((i) => (dtype === 'bool' ? Number(i % 3 === 0) : i));
      expect(Array.from(sliced.dataSync()), JSON.stringify({ shape, begin, size })).toEqual(expected);
      tf.dispose([x, sliced]);
    }
  });

  it('SplitV splits along every axis into uneven parts', () => {
    const shape = [3, 4, 5, 6];
    const x = tf.range(0, 360, 1, 'float32').reshape(shape);
    for (let axis = 0; axis < 4; axis++) {
      const sizes = axis === 0 ? [1, 2] : [1, shape[axis]! - 3, 2];
      const parts = tf.split(x, sizes, axis);
      let start = 0;
      parts.forEach((part, i) => {
        const begin = [0, 0, 0, 0];
        const size = [...shape];
        begin[axis] = start;
        size[axis] = sizes[i]!;
        start += sizes[i]!;
        expect(part.shape).toEqual(size);
        expect(Array.from(part.dataSync())).toEqual(boxIndices(shape, begin, size));
      });
      tf.dispose(parts);
    }
    x.dispose();
  });

  it('slices stay correct when the output allocation grows the wasm heap', () => {
    // A 64 MiB source, then slices large enough that fresh allocations can move the heap.
    const x = tf.range(0, 16 * 2 ** 20, 1, 'int32').reshape([16, 2 ** 20]);
    const held: import('@tensorflow/tfjs-core').Tensor[] = [];
    for (let i = 0; i < 8; i++) held.push(tf.slice(x, [i, 0], [8, 2 ** 20]));
    held.forEach((part, i) => {
      const values = part.dataSync();
      expect([values[0], values[values.length - 1]]).toEqual([i * 2 ** 20, (i + 8) * 2 ** 20 - 1]);
    });
    tf.dispose([x, ...held]);
  });

  it('reads the input in place: no readSync (a copy of the whole input) per slice', () => {
    const backend = tf.backend() as unknown as { readSync: (...args: unknown[]) => unknown };
    const original = backend.readSync;
    let reads = 0;
    backend.readSync = (...args: unknown[]) => {
      reads++;
      return original.apply(backend, args);
    };
    try {
      const x = tf.ones([64, 32]);
      const parts = [tf.slice(x, [3, 0], [2, 32]), ...tf.split(x, [16, 48], 0)];
      expect(reads).toBe(0);
      tf.dispose([x, ...parts]);
    } finally {
      backend.readSync = original;
    }
  });

  it('registering twice keeps the same kernels (no wrapper of a wrapper)', () => {
    const slice = getKernel('Slice', 'wasm')?.kernelFunc;
    const splitV = getKernel('SplitV', 'wasm')?.kernelFunc;
    registerWasmTrainingKernels();
    expect(getKernel('Slice', 'wasm')?.kernelFunc).toBe(slice);
    expect(getKernel('SplitV', 'wasm')?.kernelFunc).toBe(splitV);
  });
});
