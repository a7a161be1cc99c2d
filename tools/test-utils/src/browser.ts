/**
 * Headless Chromium for the browser tests: Debian's `chromium` (playwright cannot download browsers here),
 * driven by playwright-core, and a loopback file server that sends the cross-origin isolation headers
 * (COOP/COEP, so pages get SharedArrayBuffer and wasm threads).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** WebGPU on (on Linux it is behind this flag; without a GPU Chromium offers SwiftShader's adapter); no sandbox (root). */
export const CHROMIUM_ARGS = ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu-sandbox'];

/**
 * Whether Chromium is here. Absent, a test skips with one line naming what to install, except under `CI=true`,
 * where `chromiumAbsent()` is the error its test throws (CI must run every browser test).
 */
export function chromiumAvailable(test: string): { available: boolean; skip: boolean; reason: string } {
  const available = existsSync(CHROMIUM_PATH);
  const reason = `${CHROMIUM_PATH} is absent (apt-get install chromium, or set CHROMIUM_PATH)`;
  const skip = !available && process.env.CI !== 'true';
  if (skip) console.warn(`[skip] ${test}: ${reason}`);
  return { available, skip, reason };
}

export function launchChromium(args: readonly string[] = CHROMIUM_ARGS): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, timeout: 60_000, args: [...args] });
}

/** The response headers that make a page cross-origin isolated (`self.crossOriginIsolated`). */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export function mimeType(name: string): string {
  return MIME[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
}

/** What the server answers for a path: bytes, or a file to read; `null` is a 404. */
export type ServedFile = { body: Uint8Array | string; type?: string } | { file: string; type?: string } | null;

export interface FileServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Every path requested, in order (to see what a page loaded). */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Serves GET requests on 127.0.0.1 (an ephemeral port) from `resolve`, every response cross-origin isolated and uncached. */
export async function serveFiles(resolve: (pathname: string) => ServedFile | Promise<ServedFile>): Promise<FileServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      requests.push(pathname);
      const headers = { ...CROSS_ORIGIN_ISOLATION, 'Cache-Control': 'no-store' };
      const found = req.method === 'GET' ? await resolve(pathname) : null;
      if (!found) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      const body = 'file' in found ? await readFile(found.file) : found.body;
      const name = 'file' in found ? found.file : pathname;
      res.writeHead(200, { ...headers, 'Content-Type': found.type ?? mimeType(name) }).end(body);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
