/**
 * Drives the built viewer (dist/) in headless Chromium: a loopback server sends it cross-origin isolated
 * (COOP/COEP, as a static host must), with the test's files under /fixtures/ and onnxruntime-web's own
 * published files under /ort/ for the bare-model benchmark page.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serveFiles, type FileServer } from '@levit-unet/test-utils/browser';
import { REPO_ROOT } from './viewer-fixtures.js';

export const DIST = join(REPO_ROOT, 'apps', 'viewer', 'dist');
const ORT_DIST = dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));

/** Inside `root` only (no `..` escapes); a folder is its index.html. */
function fileUnder(root: string, path: string): string | null {
  const file = normalize(join(root, path));
  if (!file.startsWith(root)) return null;
  if (existsSync(file) && statSync(file).isDirectory()) return fileUnder(root, join(path, 'index.html'));
  return existsSync(file) ? file : null;
}

/** onnxruntime-web alone on the model, timed: no app, no preprocessing, the same browser and threads. */
const BARE_PAGE = `<!doctype html><meta charset="utf-8"><title>bare onnxruntime-web</title><script type="module">
import * as ort from '/ort/ort.wasm.min.mjs';
const params = new URLSearchParams(location.search);
ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.max(1, Math.min(16, navigator.hardwareConcurrency || 1)) : 1;
try {
  const session = await ort.InferenceSession.create(params.get('model'), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const size = Number(params.get('size')), runs = Number(params.get('runs'));
  const image = new Float32Array(size * size).map(() => Math.random());
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', image, [1, 1, size, size]) };
  await session.run(feeds); // the first run compiles and allocates
  const started = performance.now();
  for (let r = 0; r < runs; r++) await session.run(feeds);
  window.bare = { msPerRun: (performance.now() - started) / runs, threads: ort.env.wasm.numThreads, crossOriginIsolated: self.crossOriginIsolated };
} catch (error) {
  window.bare = { error: String(error) };
}
</script>`;

/** Serves the build, `fixtures` (URL name → file) under /fixtures/, onnxruntime-web under /ort/ and the bare page. */
export function serveViewer(fixtures: Record<string, string>): Promise<FileServer> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is absent: build the viewer first (pnpm viewer:build)`);
  return serveFiles((path) => {
    if (path.startsWith('/fixtures/')) {
      const file = fixtures[path.slice('/fixtures/'.length)];
      return file ? { file } : null;
    }
    if (path === '/bare.html') return { body: BARE_PAGE, type: 'text/html; charset=utf-8' };
    if (path.startsWith('/ort/')) {
      const file = fileUnder(ORT_DIST, path.slice('/ort/'.length));
      return file ? { file } : null;
    }
    const file = fileUnder(DIST, path);
    return file ? { file } : null;
  });
}

export interface PageOutcome {
  readonly status: 'done' | 'error';
  readonly alert: string;
  readonly seconds: number;
  readonly timing: Record<string, string>;
}

/** Opens `?query` and waits until the page is done or has failed. */
export async function openViewer(page: Page, origin: string, query: Record<string, string>, timeoutMs: number): Promise<PageOutcome> {
  const started = Date.now();
  await page.goto(`${origin}/?${new URLSearchParams(query).toString()}`);
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.status ?? ''), undefined, { timeout: timeoutMs, polling: 500 });
  const state = await page.evaluate(() => ({
    status: document.body.dataset.status as 'done' | 'error',
    alert: document.querySelector('[role=alert]')?.textContent ?? '',
    timing: { ...(document.getElementById('timing') as HTMLElement).dataset } as Record<string, string>,
  }));
  return { ...state, seconds: (Date.now() - started) / 1000 };
}

/** Clicks the mask download and returns the file's bytes and suggested name. */
export async function downloadMask(page: Page): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-mask').click()]);
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  return { name: download.suggestedFilename(), bytes: await readFile(path) };
}

/** Pixels of a PNG whose colour is clearly not grey (max − min channel > `chroma`), counted in a blank page. */
export async function countColouredPixels(browser: Browser, png: Buffer, chroma = 48): Promise<{ coloured: number; width: number; height: number }> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async ({ url, chroma }) => {
        const image = new Image();
        image.src = url;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        const { data } = context.getImageData(0, 0, image.width, image.height);
        let coloured = 0;
        for (let p = 0; p < data.length; p += 4) {
          const r = data[p]!, g = data[p + 1]!, b = data[p + 2]!;
          if (Math.max(r, g, b) - Math.min(r, g, b) > chroma) coloured++;
        }
        return { coloured, width: image.width, height: image.height };
      },
      { url: `data:image/png;base64,${png.toString('base64')}`, chroma },
    );
  } finally {
    await page.close();
  }
}

/** onnxruntime-web's own ms per run of the model (wasm, the page's thread count) in `browser`. */
export async function bareOrtMsPerRun(browser: Browser, origin: string, model: string, size: number, runs: number): Promise<{ msPerRun: number; threads: number; crossOriginIsolated: boolean }> {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/bare.html?${new URLSearchParams({ model, size: String(size), runs: String(runs) }).toString()}`);
    await page.waitForFunction(() => 'bare' in window, undefined, { timeout: 600_000, polling: 500 });
    const bare = await page.evaluate(() => (window as unknown as { bare: { error?: string; msPerRun: number; threads: number; crossOriginIsolated: boolean } }).bare);
    if (bare.error) throw new Error(`bare onnxruntime-web: ${bare.error}`);
    return bare;
  } finally {
    await page.close();
  }
}
