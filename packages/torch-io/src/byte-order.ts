/** Host byte order and in-place byte swapping: the one place every binary codec in the project takes them from. */
export type ByteOrder = 'little' | 'big';

/** Every current JS engine is little-endian, but the codecs do not assume it. */
export const HOST_BYTE_ORDER: ByteOrder = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 'little' : 'big';

/** Reverses the bytes of every `itemSize`-byte element of `bytes`, in place. */
export function swapBytes(bytes: Uint8Array, itemSize: number): void {
  for (let i = 0; i < bytes.length; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}
