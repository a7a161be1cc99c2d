/**
 * Node side of the WebGPU training test: bundles src/page.ts with esbuild into a temporary folder, serves
 * it with onnxruntime-web's dist files and the initial weights from a loopback server (cross-origin
 * isolated), and drives headless Chromium on its WebGPU adapter (SwiftShader where there is no GPU).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { PackedWeights } from './fixture.js';
import type { PageFailure, PageResult } from './page.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** WebGPU on (on Linux it is behind this flag; without a GPU Chromium offers SwiftShader's adapter); no sandbox (root). */
export const CHROMIUM_ARGS = ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu-sandbox'];

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** onnxruntime-web's dist folder (the Node entry `dist/ort.node.min.js` lies in it). */
export function ortDistDir(): string {
  return dirname(require.resolve('onnxruntime-web'));
}

/**
 * onnxruntime-web's builds with WebGPU, by the dist file the page imports: 'webgpu' is `onnxruntime-web/webgpu`
 * (`ort.webgpu.min.mjs`, the C++ WebGPU EP, loading `ort-wasm-simd-threaded.asyncify.{mjs,wasm}`); 'jsep' is the
 * package's default entry (`ort.min.mjs`, the JavaScript WebGPU EP, loading `ort-wasm-simd-threaded.jsep.{mjs,wasm}`).
 */
export const ORT_BUILDS = { webgpu: 'ort.webgpu.min.mjs', jsep: 'ort.min.mjs' } as const;
export type OrtBuild = keyof typeof ORT_BUILDS;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

const indexHtml = (build: OrtBuild) => `<!doctype html>
<html><head><meta charset="utf-8"><title>webgpu training</title><link rel="icon" href="data:,">
<script type="importmap">{"imports":{"onnxruntime-web/webgpu":"/ort/${ORT_BUILDS[build]}"}}</script>
</head><body><script type="module" src="/page.js"></script></body></html>`;

/** One execution provider's share of a session, from onnxruntime's VERBOSE "Node placements" log. */
export interface Placement {
  provider: string;
  nodes: number;
  /** Node count by op type. */
  ops: Record<string, number>;
  /** The nodes, as "OpType (name)", when there are at most 40. */
  list: string[];
}

export interface BrowserRun {
  result: PageResult | PageFailure;
  /** The page's console lines and errors, in order. */
  console: string[];
  /** Every path the page requested (to see which onnxruntime-web files it loaded). */
  requests: string[];
  /** Seconds: bundling, browser start, the page's run. */
  timings: { bundle: number; launch: number; page: number };
  /** Node placement per execution provider (verbose runs only; empty otherwise). */
  placements: Placement[];
}

export interface BrowserRunOptions {
  weights: PackedWeights;
  /** onnxruntime's verbose log (node placement) into `console`. */
  verbose?: boolean;
  /** Which onnxruntime-web build the page imports. Default 'webgpu'. */
  build?: OrtBuild;
  /** Chromium's command line; default `CHROMIUM_ARGS`. */
  chromiumArgs?: string[];
  /** Milliseconds for the page to finish. Default 240 000. */
  timeoutMs?: number;
}

async function bundlePage(outdir: string): Promise<void> {
  await build({
    entryPoints: [join(here, 'page.ts')],
    outfile: join(outdir, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    external: ['onnxruntime-web', 'onnxruntime-web/*'],
    logLevel: 'warning',
  });
}

function startServer(files: Map<string, { path?: string; body?: Uint8Array | string }>, ortDir: string, requests: string[]): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push(url.pathname);
      let body: Uint8Array | string | undefined;
      let name = url.pathname;
      if (url.pathname.startsWith('/ort/')) {
        const file = url.pathname.slice('/ort/'.length);
        // Only the package's own files, by plain name.
        if (/^[\w.-]+\.(mjs|wasm|map)$/.test(file) && existsSync(join(ortDir, file))) body = await readFile(join(ortDir, file));
        name = file;
      } else {
        const entry = files.get(url.pathname === '/' ? '/index.html' : url.pathname);
        if (entry) body = entry.body ?? (await readFile(entry.path!));
        if (url.pathname === '/') name = '/index.html';
      }
      const headers = {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cross-Origin-Resource-Policy': 'same-origin',
        'Cache-Control': 'no-store',
      };
      if (req.method !== 'GET' || body === undefined) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      const ext = name.slice(name.lastIndexOf('.'));
      res.writeHead(200, { ...headers, 'Content-Type': MIME[ext] ?? 'application/octet-stream' }).end(body);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Trains in headless Chromium (see src/page.ts) and returns what the page reported. */
export async function runInBrowser(options: BrowserRunOptions): Promise<BrowserRun> {
  const timeoutMs = options.timeoutMs ?? 240_000;
  const dir = await mkdtemp(join(tmpdir(), 'webgpu-training-'));
  const consoleLines: string[] = [];
  const requests: string[] = [];
  let server: Server | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    let t = performance.now();
    await bundlePage(dir);
    const bundle = (performance.now() - t) / 1000;
    const files = new Map<string, { path?: string; body?: Uint8Array | string }>([
      ['/index.html', { body: indexHtml(options.build ?? 'webgpu') }],
      ['/page.js', { path: join(dir, 'page.js') }],
      ['/page.js.map', { path: join(dir, 'page.js.map') }],
      ['/weights.json', { body: JSON.stringify(options.weights.manifest) }],
      ['/weights.bin', { body: options.weights.data }],
    ]);
    server = await startServer(files, ortDistDir(), requests);
    const { port } = server.address() as AddressInfo;

    t = performance.now();
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      timeout: 60_000,
      args: options.chromiumArgs ?? CHROMIUM_ARGS,
    });
    const page = await browser.newPage();
    const launch = (performance.now() - t) / 1000;
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));

    t = performance.now();
    const query = new URLSearchParams({ ...(options.verbose ? { verbose: '1' } : {}) }).toString();
    await page.goto(`http://127.0.0.1:${port}/${query ? `?${query}` : ''}`, { timeout: 60_000 });
    await page.waitForFunction(() => window.__webgpuTraining !== undefined, undefined, { timeout: timeoutMs, polling: 250 });
    const result = (await page.evaluate(() => window.__webgpuTraining)) as PageResult | PageFailure;
    const pageSeconds = (performance.now() - t) / 1000;
    return { result, console: consoleLines, requests, timings: { bundle, launch, page: pageSeconds }, placements: parsePlacements(consoleLines) };
  } catch (error) {
    const tail = consoleLines.slice(-20).join('\n');
    throw new Error(`${(error as Error).message}${tail ? `\npage console (last lines):\n${tail}` : ''}`);
  } finally {
    await browser?.close().catch(() => undefined);
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await rm(dir, { recursive: true, force: true });
  }
}

/** The onnxruntime-web files the page loaded (plain names). */
export function ortFilesLoaded(run: BrowserRun): string[] {
  return [...new Set(run.requests.filter((p) => p.startsWith('/ort/')).map((p) => basename(p)))].sort();
}

/**
 * onnxruntime's node placement from its VERBOSE session log: " Node(s) placed on [EP]. Number of nodes: N"
 * followed by one "  OpType (node name)" line per node. The last session created wins (one per run here).
 */
export function parsePlacements(lines: string[]): Placement[] {
  let placements: Placement[] = [];
  let current: Placement | undefined;
  for (const line of lines) {
    if (/VerifyEachNodeIsAssignedToAnEp\] Node placements/.test(line)) {
      placements = [];
      current = undefined;
      continue;
    }
    const head = /Node\(s\) placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(line);
    if (head) {
      current = { provider: head[1]!, nodes: Number(head[2]), ops: {}, list: [] };
      placements.push(current);
      continue;
    }
    const node = current && /VerifyEachNodeIsAssignedToAnEp\] +(\w+) \((.*)\)\s*$/.exec(line);
    if (current && node) {
      current.ops[node[1]!] = (current.ops[node[1]!] ?? 0) + 1;
      if (current.list.length < 40) current.list.push(`${node[1]} (${node[2]})`);
      continue;
    }
    if (current && !/VerifyEachNodeIsAssignedToAnEp/.test(line)) current = undefined;
  }
  for (const p of placements) if (p.nodes > 40) p.list = [];
  return placements;
}

/** The page's console lines that are not onnxruntime's INFO / VERBOSE log. */
export function consoleWarnings(lines: string[]): string[] {
  return lines.filter((l) => !/\[[IV]:onnxruntime:/.test(l) && !/^\[(log|debug|info)\]/.test(l));
}
