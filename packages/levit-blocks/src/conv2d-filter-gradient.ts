import * as tf from '@tensorflow/tfjs-core';
import { conv2dWithPadding, type ConvPadding } from './conv-padding.js';

/** Output maps from this size (H′·W′) on are done in strips of ROWS_PER_STRIP rows (measured on wasm). */
const STRIP_MIN_PIXELS = 96 * 96;
const ROWS_PER_STRIP = 4;

/**
 * dL/dW of an NHWC convolution (any stride, zero padding on each side), as convolutions:
 * dW[i, j, c, o] = Σ_{b, y, x} x_pad[b, y·s + i, x·s + j, c]·dy[b, y, x, o] is a 'valid' correlation of x
 * read as (C, H, W, B) — channels as the batch, the batch as channels — with dy read as an (H′, W′, B, O)
 * filter dilated by the stride: one convolution, or one per strip of dy rows on large maps, summed. On
 * wasm these run as threaded XNNPACK convolutions instead of kh·kw strided windows, transposes and
 * (single-threaded) products: 3–10× faster, holding one transposed copy of x instead of three.
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  padding: number | ConvPadding,
  stride: number | [number, number] = 1,
): tf.Tensor4D {
  const [kh, kw, inChannels, outChannels] = filterShape;
  const [batch, height, width] = x.shape;
  const [, outHeight, outWidth] = dy.shape;
  const pad = typeof padding === 'number' ? { top: padding, bottom: padding, left: padding, right: padding } : padding;
  const [strideHeight, strideWidth] = typeof stride === 'number' ? [stride, stride] : stride;
  if (
    x.shape[3] !== inChannels ||
    dy.shape[3] !== outChannels ||
    dy.shape[0] !== batch ||
    outHeight !== Math.floor((height + pad.top + pad.bottom - kh) / strideHeight) + 1 ||
    outWidth !== Math.floor((width + pad.left + pad.right - kw) / strideWidth) + 1
  ) {
    throw new Error(
      `conv2dFilterGradient: x [${x.shape}] and dy [${dy.shape}] do not fit a convolution with filter [${filterShape}], stride ${strideHeight}×${strideWidth} and padding ${JSON.stringify(padding)}`,
    );
  }
  return tf.tidy(() => {
    const right = (outWidth - 1) * strideWidth + kw - width - pad.left;
    const channelsAsBatch = tf.transpose(x, [3, 1, 2, 0]);
    const gradientAsFilter = tf.transpose(dy, [1, 2, 0, 3]);
    // Large maps go in strips of dy rows, one convolution each, summed: the whole-map convolution
    // streams a filter of H′·W′·B·O floats (51 MB at 112²) per tile of outputs, a strip's stays in
    // cache. 16 % faster at 112² on wasm; no gain measured at 56² and below.
    const rowsPerStrip = outHeight * outWidth >= STRIP_MIN_PIXELS ? ROWS_PER_STRIP : outHeight;
    const parts: tf.Tensor4D[] = [];
    for (let first = 0; first < outHeight; first += rowsPerStrip) {
      const rows = Math.min(rowsPerStrip, outHeight - first);
      const strip = rows === outHeight ? gradientAsFilter : tf.slice(gradientAsFilter, [first, 0, 0, 0], [rows, -1, -1, -1]);
      // The padded input rows these taps read: [first·s, (first + rows − 1)·s + kh), as padding (or a crop) of x.
      const top = pad.top - first * strideHeight;
      const bottom = (first + rows - 1) * strideHeight + kh - height - pad.top;
      parts.push(conv2dWithPadding(channelsAsBatch, strip, { top, bottom, left: pad.left, right }, [strideHeight, strideWidth]));
      if (strip !== gradientAsFilter) strip.dispose();
    }
    return tf.transpose(tf.addN(parts), [1, 2, 0, 3]);
  });
}
