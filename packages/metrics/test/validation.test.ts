import { describe, expect, it } from 'vitest';
import { confusionMatrix, distanceTransform, evaluateCase, type LabelMap } from '../src/index.js';

const ok = (): LabelMap => ({ data: new Uint8Array(24), shape: [2, 3, 4] });

describe('bad input gets a clear error naming the argument', () => {
  it.each<[string, () => unknown, RegExp]>([
    ['shape mismatch', () => evaluateCase(ok(), { data: new Uint8Array(24), shape: [2, 4, 3] }, { numClasses: 2 }), /pred\.shape \[2,3,4\] must equal gt\.shape \[2,4,3\]/],
    ['data length', () => evaluateCase({ data: new Uint8Array(23), shape: [2, 3, 4] }, ok(), { numClasses: 2 }), /pred\.data has 23 elements but pred\.shape \[2,3,4\] needs 24/],
    ['1-D shape', () => evaluateCase(ok(), { data: new Uint8Array(24), shape: [24] }, { numClasses: 2 }), /gt\.shape must have 2 or 3 axes/],
    ['zero axis', () => evaluateCase({ data: new Uint8Array(0), shape: [0, 3, 4] }, ok(), { numClasses: 2 }), /pred\.shape must hold positive integers/],
    ['plain array', () => evaluateCase({ data: [0, 1] as unknown as Uint8Array, shape: [1, 2] }, ok(), { numClasses: 2 }), /pred\.data must be a typed array/],
    ['non-integer', () => evaluateCase({ data: new Float32Array(24).fill(0.5), shape: [2, 3, 4] }, ok(), { numClasses: 2 }), /pred\.data\[0\] = 0\.5 is not an integer label/],
    ['NaN', () => evaluateCase(ok(), { data: new Float64Array(24).fill(NaN), shape: [2, 3, 4] }, { numClasses: 2 }), /gt\.data\[0\] = NaN is not an integer label/],
    ['negative', () => evaluateCase(ok(), { data: Int16Array.from({ length: 24 }, (_, i) => (i === 5 ? -1 : 0)), shape: [2, 3, 4] }, { numClasses: 2 }), /gt\.data\[5\] = -1 is a negative label/],
    ['out of range', () => evaluateCase({ data: Uint8Array.from({ length: 24 }, (_, i) => (i === 7 ? 9 : 0)), shape: [2, 3, 4] }, ok(), { numClasses: 9 }), /pred\.data\[7\] = 9 is out of range: labels must be integers in \[0, numClasses\) = \[0, 9\)/],
    ['numClasses', () => evaluateCase(ok(), ok(), { numClasses: 1 }), /numClasses must be an integer ≥ 2/],
    ['spacing length', () => evaluateCase(ok(), ok(), { numClasses: 2, spacingMm: [1, 1] }), /spacingMm must have one entry per array axis \(3\)/],
    ['spacing sign', () => evaluateCase(ok(), ok(), { numClasses: 2, spacingMm: [1, 0, 1] }), /spacingMm entries must be positive finite numbers/],
    ['spacing NaN', () => evaluateCase(ok(), ok(), { numClasses: 2, spacingMm: [1, NaN, 1] }), /spacingMm entries must be positive finite numbers/],
    ['policy', () => evaluateCase(ok(), ok(), { numClasses: 2, policy: 'medpy' as never }), /policy must be one of transunet, strict; got "medpy"/],
    ['classIds', () => evaluateCase(ok(), ok(), { numClasses: 3, classIds: [1, 3] }), /classIds must hold integers in \[1, numClasses\) = \[1, 3\), got 3/],
    ['confusionMatrix labels', () => confusionMatrix(ok(), { data: new Uint8Array(24).fill(4), shape: [2, 3, 4] }, 4), /gt\.data\[0\] = 4 is out of range/],
    ['distanceTransform spacing', () => distanceTransform({ data: new Uint8Array(6), shape: [2, 3] }, [1, -2]), /spacingMm entries must be positive/],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});
