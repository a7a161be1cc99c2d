/**
 * The viewer end to end, in headless Chromium on the built page (dist/): the real CT of ../shared/data and
 * the official 128s checkpoint (imported and exported to ONNX by the CLI) segment on onnxruntime-web wasm
 * (threads: the server sends COOP/COEP) to the mask `levit-unet predict --engine onnxruntime` writes; the
 * overlay is drawn where the mask is; bad files get their message; WebGPU (SwiftShader without a GPU) gives
 * the wasm mask on a crop of the CT to a few slices.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNifti } from '@levit-unet/datasets';
import { chromiumAvailable, launchChromium, type FileServer } from '@levit-unet/test-utils/browser';
import { sharedPath } from '@levit-unet/test-utils';
import { gunzipSync } from 'node:zlib';
import { bareOrtMsPerRun, countColouredPixels, downloadMask, openViewer, serveViewer } from './viewer-browser.js';
import { countDiffering, foregroundPerSlice, makeViewerFixtures, readNifti, type ViewerFixtures } from './viewer-fixtures.js';

const scanPath = sharedPath('data/totalseg_example_3mm_ct.nii.gz');
const checkpointPath = sharedPath('fixtures/official/128s/state_dict_fp16.pth.gz');
const chromium = chromiumAvailable('viewer end-to-end');
if (!chromium.available && !chromium.skip) throw new Error(chromium.reason);
const skip = chromium.skip || !scanPath || !checkpointPath;

/** Slices of the crop WebGPU segments: SwiftShader (no GPU) takes about 81 s per 224² image here. */
const WEBGPU_SLICES = Number(process.env.LEVIT_VIEWER_WEBGPU_SLICES ?? 2);
/** At most this fraction of voxels may differ from onnxruntime-node's mask (the 0.1 %). */
const MAX_DIFFERING = 1e-3;

describe.skipIf(skip)('viewer in headless Chromium', () => {
  let fixtures: ViewerFixtures;
  let server: FileServer;
  let browser: Browser;
  let page: Page;
  let screenshotDir: string;

  beforeAll(async () => {
    fixtures = await makeViewerFixtures(scanPath!, checkpointPath!, WEBGPU_SLICES);
    server = await serveViewer({
      'ct.nii.gz': fixtures.scanPath,
      'ct-crop.nii.gz': fixtures.croppedScanPath,
      'levit-unet-128s.onnx': fixtures.modelPath,
      'three-channel-input.onnx': fixtures.threeChannelModelPath,
      'five-classes.onnx': fixtures.fiveClassModelPath,
      'notes.nii.gz': fixtures.notNiftiPath,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
    screenshotDir = process.env.LEVIT_VIEWER_SCREENSHOTS ?? fixtures.dir;
    await mkdir(screenshotDir, { recursive: true });
    console.log(`[viewer] fixtures and screenshots in ${fixtures.dir}; onnxruntime-node ${fixtures.nodeMsPerSlice} ms/slice`);
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('segments the CT on wasm with threads to the mask of levit-unet predict --engine onnxruntime, and draws it', async () => {
    const outcome = await openViewer(page, server.origin, { scan: '/fixtures/ct.nii.gz', model: '/fixtures/levit-unet-128s.onnx', engine: 'wasm', view: 'axial' }, 1_500_000);
    expect(outcome.alert).toBe('');
    expect(outcome.status).toBe('done');
    expect(outcome.timing.crossOriginIsolated).toBe('true');
    expect(Number(outcome.timing.threads)).toBeGreaterThan(1);

    const { name, bytes } = await downloadMask(page);
    expect(name).toBe('totalseg_example_3mm_ct_mask.nii.gz');
    const mask = parseNifti(new Uint8Array(gunzipSync(bytes)), name);
    const reference = await readNifti(fixtures.referenceMaskPath);
    const scan = await readNifti(fixtures.scanPath);
    expect(mask.shape).toEqual(scan.shape);
    expect(mask.affine).toEqual(scan.affine);
    const differing = countDiffering(mask, reference);
    const slices = Number(outcome.timing.slices);
    const pageMs = Number(outcome.timing.totalMs) / slices;
    console.log(
      `[viewer] wasm (${outcome.timing.threads} threads): ${differing} of ${mask.data.length} voxels differ from onnxruntime-node's mask; ` +
        `${slices} slices, page ${pageMs.toFixed(0)} ms/slice (engine ${outcome.timing.msPerSlice} ms/slice), session ${outcome.timing.sessionMs} ms, load to done ${outcome.seconds.toFixed(1)} s`,
    );
    expect(differing / mask.data.length).toBeLessThan(MAX_DIFFERING);

    // The overlay: axial view at the most labelled slice; pixels that are coloured with the mask shown and
    // grey without it are the overlay's, and they cover about the mask's share of the slice.
    const k = Number(await page.locator('#niivue').getAttribute('data-axial-slice'));
    expect(await page.locator('#niivue').getAttribute('data-axial-axis')).toBe('2');
    const labelled = foregroundPerSlice(mask)[k]!;
    expect(labelled).toBe(Math.max(...foregroundPerSlice(mask)));
    await page.waitForTimeout(500);
    const withMask = await page.locator('#niivue').screenshot();
    await page.screenshot({ path: join(screenshotDir, 'viewer-wasm.png') });
    await page.locator('#show-mask').uncheck();
    await page.waitForTimeout(500);
    const withoutMask = await page.locator('#niivue').screenshot();
    await page.locator('#show-mask').check();
    const on = await countColouredPixels(browser, withMask);
    const off = await countColouredPixels(browser, withoutMask);
    const [, nj, ni] = scan.shape as [number, number, number];
    // NiiVue fits the slice's extent in mm into the canvas.
    const [wMm, hMm] = [ni * scan.spacing[2]!, nj * scan.spacing[1]!];
    const fit = Math.min(on.width / wMm, on.height / hMm);
    const expected = (labelled / (ni * nj)) * wMm * hMm * fit * fit;
    const overlay = on.coloured - off.coloured;
    console.log(`[viewer] overlay: slice ${k} has ${labelled} labelled voxels; ${overlay} coloured pixels with the mask (${off.coloured} without), ${expected.toFixed(0)} expected; screenshot ${join(screenshotDir, 'viewer-wasm.png')}`);
    expect(overlay).toBeGreaterThan(0.6 * expected);
    expect(overlay).toBeLessThan(1.4 * expected);

    // What the app adds: onnxruntime-web on the bare model in this browser, same threads.
    const bare = await bareOrtMsPerRun(browser, server.origin, '/fixtures/levit-unet-128s.onnx', 224, 10);
    expect(bare.crossOriginIsolated).toBe(true);
    console.log(
      `[viewer] ms per 224² slice: page ${pageMs.toFixed(0)}, bare onnxruntime-web ${bare.msPerRun.toFixed(0)} (${bare.threads} threads), ` +
        `ratio ${(pageMs / bare.msPerRun).toFixed(2)}; onnxruntime-node ${fixtures.nodeMsPerSlice}`,
    );
    await writeFile(join(screenshotDir, 'viewer-wasm.json'), JSON.stringify({ differing, voxels: mask.data.length, slices, pageMs, bare, nodeMsPerSlice: fixtures.nodeMsPerSlice, overlay, expected }, null, 2));
  }, 1_800_000);

  it.each([
    ['a file that is not a NIfTI', { scan: '/fixtures/notes.nii.gz', model: '/fixtures/levit-unet-128s.onnx' }, /notes\.nii\.gz: .*NIfTI/i],
    ['a model with 3 input channels', { scan: '/fixtures/ct-crop.nii.gz', model: '/fixtures/three-channel-input.onnx' }, /three-channel-input\.onnx: .*1 channel/],
    ['a model with 5 classes', { scan: '/fixtures/ct-crop.nii.gz', model: '/fixtures/five-classes.onnx' }, /five-classes\.onnx: the model has 5 output classes/],
  ])('shows one line in role=alert for %s', async (_what, query, message) => {
    const outcome = await openViewer(page, server.origin, { ...query, engine: 'wasm' }, 300_000);
    expect(outcome.status).toBe('error');
    expect(outcome.alert).toMatch(message);
    expect(outcome.alert).not.toContain('\n');
    console.log(`[viewer] alert: ${outcome.alert}`);
  }, 600_000);

  it(`gives the wasm mask on WebGPU (a crop of ${WEBGPU_SLICES} slices: SwiftShader without a GPU)`, async () => {
    const hasAdapter = await page.evaluate(async () => Boolean(await (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter()));
    if (!hasAdapter) {
      if (process.env.CI === 'true') throw new Error('this Chromium gives no WebGPU adapter (--enable-unsafe-webgpu)');
      console.warn('[skip] viewer on WebGPU: this Chromium gives no WebGPU adapter');
      return;
    }
    const query = { scan: '/fixtures/ct-crop.nii.gz', model: '/fixtures/levit-unet-128s.onnx' };
    const wasm = await openViewer(page, server.origin, { ...query, engine: 'wasm' }, 600_000);
    expect(wasm.alert).toBe('');
    const wasmMask = parseNifti(new Uint8Array(gunzipSync((await downloadMask(page)).bytes)));
    // The page segments slice by slice: the crop's mask is the full scan's reference on those slices.
    const reference = await readNifti(fixtures.referenceMaskPath);
    const plane = reference.shape[1]! * reference.shape[2]!;
    const referenceSlices = reference.data.subarray(fixtures.croppedFirstSlice * plane, (fixtures.croppedFirstSlice + WEBGPU_SLICES) * plane);
    let cropDiffering = 0;
    for (let p = 0; p < referenceSlices.length; p++) if (referenceSlices[p] !== wasmMask.data[p]) cropDiffering++;
    expect(cropDiffering / referenceSlices.length).toBeLessThan(MAX_DIFFERING);

    const gpu = await openViewer(page, server.origin, { ...query, engine: 'webgpu' }, 1_500_000);
    expect(gpu.alert).toBe('');
    expect(gpu.status).toBe('done');
    const gpuMask = parseNifti(new Uint8Array(gunzipSync((await downloadMask(page)).bytes)));
    const differing = countDiffering(gpuMask, wasmMask);
    const adapter = await page.evaluate(async () => {
      type Info = { vendor: string; architecture: string; description: string };
      const a = (await navigator.gpu.requestAdapter()) as unknown as { info?: Info } | null;
      return a?.info ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : 'unknown';
    });
    console.log(
      `[viewer] webgpu (${adapter}): ${differing} of ${gpuMask.data.length} voxels differ from wasm's mask; ${gpu.timing.slices} slices, ` +
        `${(Number(gpu.timing.totalMs) / Number(gpu.timing.slices)).toFixed(0)} ms/slice (wasm ${(Number(wasm.timing.totalMs) / Number(wasm.timing.slices)).toFixed(0)}), session ${gpu.timing.sessionMs} ms`,
    );
    await page.screenshot({ path: join(screenshotDir, 'viewer-webgpu.png') });
    expect(differing / gpuMask.data.length).toBeLessThan(MAX_DIFFERING);
  }, 1_800_000);
});
