import { defineConfig } from 'vite';

/**
 * Cross-origin isolation (COOP + COEP): without it a page has no SharedArrayBuffer, and onnxruntime-web and
 * tfjs's wasm backend run on one thread. The dev server and `vite preview` send these headers; a static host
 * must send them too (README, "Hosting").
 */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  // Relative asset URLs: the build works from any folder of a static host, not only its root.
  base: './',
  server: { headers: CROSS_ORIGIN_ISOLATION, host: '127.0.0.1' },
  preview: { headers: CROSS_ORIGIN_ISOLATION, host: '127.0.0.1' },
  // onnxruntime-web finds its .wasm and spawns its thread workers relative to its own module: pre-bundling
  // it for the dev server would move it away from those files.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096, assetsInlineLimit: 0 },
});
