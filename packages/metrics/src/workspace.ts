/**
 * Reusable scratch buffers, one per role. Fresh multi-megabyte typed arrays are slow to touch the first time (the
 * operating system maps and zeroes their pages on first write), which cost more than the distance transform itself
 * when every class allocated its own; one workspace serves all classes of a case.
 */
export class Workspace {
  private readonly float64s = new Map<string, Float64Array>();
  private readonly uint8s = new Map<string, Uint8Array>();

  /** A Float64Array of `length` elements with unspecified contents. */
  float64(role: string, length: number): Float64Array {
    let buffer = this.float64s.get(role);
    if (!buffer || buffer.length < length) {
      buffer = new Float64Array(length);
      this.float64s.set(role, buffer);
    }
    return buffer.subarray(0, length);
  }

  /** A Uint8Array of `length` zeros. */
  zeros(role: string, length: number): Uint8Array {
    let buffer = this.uint8s.get(role);
    if (!buffer || buffer.length < length) {
      buffer = new Uint8Array(length);
      this.uint8s.set(role, buffer);
      return buffer.subarray(0, length);
    }
    return buffer.subarray(0, length).fill(0);
  }
}
