/**
 * The viewer page: open a NIfTI scan and a model, segment the scan with the project's own volume → mask code
 * (`segmentScan` of @levit-unet/inference, as `levit-unet predict`), show the mask over the scan in NiiVue with
 * a legend and per-class volumes, and offer the mask as NIfTI. `?scan=URL&model=URL&engine=wasm|webgpu|tfjs`
 * loads and segments without clicks. State on `<body data-status>`, errors in `role="alert"`.
 */
import './style.css';
import type { NiftiVolume } from '@levit-unet/datasets';
import { classVolumesMl, encodeScanLabels, segmentScan, type ScanModality, type SegmentationEngine } from '@levit-unet/inference';
import { foregroundFocus } from './foreground-focus.js';
import { labelSetFor } from './label-sets.js';
import { renderLegend } from './label-legend.js';
import { fetchBytes, fileNameOf, modelSourceFromFiles, modelSourceFromUrl, type ModelSource } from './model-source.js';
import { openOnnxModel, ortThreads } from './onnx-model.js';
import { errorLine, StatusDisplay } from './page-status.js';
import { readScan } from './scan-file.js';
import { ScanView, type ViewLayout } from './scan-view.js';
import { openTfjsModel } from './tfjs-model.js';

export type EngineKind = 'wasm' | 'webgpu' | 'tfjs' | 'tfjs-webgpu';
const ENGINES: readonly EngineKind[] = ['wasm', 'webgpu', 'tfjs', 'tfjs-webgpu'];

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const ui = {
  scanFile: $<HTMLInputElement>('scan-file'),
  modelFile: $<HTMLInputElement>('model-file'),
  engine: $<HTMLSelectElement>('engine'),
  modality: $<HTMLSelectElement>('modality'),
  window: $<HTMLInputElement>('window'),
  segment: $<HTMLButtonElement>('segment'),
  layout: $<HTMLSelectElement>('layout'),
  showMask: $<HTMLInputElement>('show-mask'),
  opacity: $<HTMLInputElement>('opacity'),
  legend: $<HTMLTableElement>('legend'),
  download: $<HTMLAnchorElement>('download'),
  timing: $<HTMLOutputElement>('timing'),
  canvas: $<HTMLCanvasElement>('niivue'),
  scanName: $<HTMLSpanElement>('scan-name'),
  modelName: $<HTMLSpanElement>('model-name'),
};
const status = new StatusDisplay();
const view = new ScanView();

let scan: { volume: NiftiVolume; name: string } | null = null;
let model: ModelSource | null = null;
let opened: { model: ModelSource; engine: EngineKind; session: SegmentationEngine; ms: number } | null = null;
let maskUrl: string | null = null;
let busy = false;

/** `-125,275`: a CT window in HU, low < high (as `levit-unet predict --window`). */
function parseWindow(text: string): [number, number] {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p)) || !(parts[1]! > parts[0]!)) {
    throw new Error(`window "${text}": expected two HU values low,high such as -125,275`);
  }
  return [parts[0]!, parts[1]!];
}

function engineOf(value: string): EngineKind {
  if (!(ENGINES as readonly string[]).includes(value)) throw new Error(`engine=${value}: expected one of ${ENGINES.join(', ')}`);
  return value as EngineKind;
}

function updateButtons(): void {
  ui.segment.disabled = busy || !scan || !model;
  ui.scanName.textContent = scan ? scan.name : 'none';
  ui.modelName.textContent = model ? model.name : 'none';
}

/** Runs one step of the page; its failure is the page's error, in one line. */
async function guarded(step: () => Promise<void>): Promise<boolean> {
  if (busy) return false;
  busy = true;
  updateButtons();
  try {
    await step();
    return true;
  } catch (error) {
    console.error(error);
    status.set('error', errorLine(error));
    return false;
  } finally {
    busy = false;
    updateButtons();
  }
}

async function loadScan(bytes: Uint8Array, name: string): Promise<void> {
  status.set('loading', `Reading ${name}…`);
  scan = null;
  clearResult();
  const volume = readScan(bytes, name);
  await view.showScan(bytes, name, parseWindow(ui.window.value));
  scan = { volume, name };
  const [nk, nj, ni] = volume.shape;
  status.set('idle', `${name}: ${ni} × ${nj} × ${nk} voxels of ${volume.spacing.slice().reverse().map((s) => s.toFixed(2)).join(' × ')} mm${model ? '' : '; now open a model'}`);
}

function setModel(source: ModelSource): void {
  model = source;
  if (source.kind === 'onnx' && ui.engine.value.startsWith('tfjs')) ui.engine.value = 'wasm';
  if (source.kind !== 'onnx' && !ui.engine.value.startsWith('tfjs')) ui.engine.value = 'tfjs';
  status.set('idle', `${source.name}: ${source.kind === 'onnx' ? 'ONNX model' : 'tfjs model directory'}${scan ? '; press Segment' : '; now open a scan'}`);
}

async function openEngine(source: ModelSource, engine: EngineKind): Promise<SegmentationEngine> {
  if (opened && opened.model === source && opened.engine === engine) return opened.session;
  if (opened) await opened.session.dispose();
  opened = null;
  const onnx = engine === 'wasm' || engine === 'webgpu';
  if (onnx && source.kind !== 'onnx') {
    throw new Error(`${source.name}: engine=${engine} runs an ONNX model (levit-unet export --format onnx); a tfjs model directory runs on engine=tfjs`);
  }
  if (!onnx && source.kind === 'onnx') throw new Error(`${source.name}: engine=${engine} runs a tfjs model directory (model.json + weights.bin); an ONNX model runs on engine=wasm or engine=webgpu`);
  status.set('loading', `Opening ${source.name} on ${engine}${engine === 'wasm' ? ` (${ortThreads()} threads)` : ''}…`);
  const started = performance.now();
  const session =
    source.kind === 'onnx'
      ? await openOnnxModel(source.bytes, source.name, engine as 'wasm' | 'webgpu')
      : await openTfjsModel(source, engine === 'tfjs-webgpu' ? 'webgpu' : 'wasm');
  opened = { model: source, engine, session, ms: performance.now() - started };
  return session;
}

/** Lets the page repaint (progress bar) between engine calls; a message, unlike a timer, is not throttled in a background tab. */
function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

function clearResult(): void {
  if (maskUrl) URL.revokeObjectURL(maskUrl);
  maskUrl = null;
  ui.download.hidden = true;
  ui.download.removeAttribute('href');
  ui.legend.hidden = true;
  ui.timing.textContent = '';
}

async function segment(): Promise<void> {
  if (!scan || !model) throw new Error('open a scan and a model first');
  const current = scan;
  clearResult();
  const engineKind = engineOf(ui.engine.value);
  const engine = await openEngine(model, engineKind);
  const labels = labelSetFor(engine.numClasses, model.name);
  const modality = (ui.modality.value === 'auto' ? labels.modality : ui.modality.value) as ScanModality;
  const window = parseWindow(ui.window.value);
  const total = current.volume.shape[0]!;
  status.set('segmenting', `Segmenting ${current.name}…`);
  status.setProgress(0, total);
  const started = performance.now();
  const result = await segmentScan(
    {
      name: engine.name,
      inputSize: engine.inputSize,
      numClasses: engine.numClasses,
      async predictLogits(images, n) {
        await yieldToBrowser();
        return engine.predictLogits(images, n);
      },
      dispose: () => undefined,
    },
    current.volume,
    { modality, window, batchSize: 1, source: current.name, onProgress: (done, slices) => status.setProgress(done, slices) },
  );
  const mask = encodeScanLabels(result.labels, current.volume, { gzip: true });
  const maskName = `${current.name.replace(/\.nii(\.gz)?$/i, '')}_mask.nii.gz`;
  await view.showMask(mask, maskName, labels);
  const focus = foregroundFocus(result.labels, current.volume.affine);
  if (focus) view.moveTo(focus.mm);
  ui.canvas.dataset.axialSlice = focus ? String(focus.axialSlice) : '';
  ui.canvas.dataset.axialAxis = focus ? String(focus.axialAxis) : '';
  renderLegend(ui.legend, labels, result.classVoxels, classVolumesMl(result.classVoxels, current.volume.spacing));
  maskUrl = URL.createObjectURL(new Blob([mask as Uint8Array<ArrayBuffer>], { type: 'application/gzip' }));
  ui.download.href = maskUrl;
  ui.download.download = maskName;
  ui.download.hidden = false;
  const totalMs = performance.now() - started;
  const slices = result.image.shape[0]!;
  Object.assign(ui.timing.dataset, {
    engine: engine.name,
    threads: String(engineKind === 'wasm' ? ortThreads() : ''),
    crossOriginIsolated: String(self.crossOriginIsolated),
    slices: String(slices),
    msPerSlice: result.msPerSlice.toFixed(1),
    totalMs: totalMs.toFixed(0),
    sessionMs: opened!.ms.toFixed(0),
  });
  ui.timing.textContent = `${slices} slices in ${(totalMs / 1000).toFixed(1)} s: ${result.msPerSlice.toFixed(0)} ms per slice on ${engine.name}` +
    (engineKind === 'wasm' ? ` (${ortThreads()} threads${self.crossOriginIsolated ? '' : ', not cross-origin isolated'})` : '');
  status.set('done', `${current.name}: segmented (${labels.dataset} labels, ${modality === 'ct' ? `CT window ${window.join('..')} HU` : 'MRI normalisation'})`);
}

async function scanFromUrl(url: string): Promise<void> {
  status.set('loading', `Fetching ${url}…`);
  await loadScan(await fetchBytes(url, 'scan'), fileNameOf(url));
}

async function modelFromUrl(url: string): Promise<void> {
  status.set('loading', `Fetching ${url}…`);
  setModel(await modelSourceFromUrl(url));
}

function isScanFile(file: File): boolean {
  return /\.(nii|nii\.gz|gz)$/i.test(file.name) && !/\.json$/i.test(file.name);
}

async function takeFiles(files: File[]): Promise<void> {
  const scans = files.filter(isScanFile);
  const rest = files.filter((f) => !isScanFile(f));
  if (scans.length > 1) throw new Error(`${scans.map((f) => f.name).join(', ')}: drop one scan at a time`);
  if (scans.length === 1) await loadScan(new Uint8Array(await scans[0]!.arrayBuffer()), scans[0]!.name);
  if (rest.length > 0) setModel(await modelSourceFromFiles(rest));
}

function wireControls(): void {
  ui.scanFile.addEventListener('change', () => {
    const file = ui.scanFile.files?.[0];
    if (file) void guarded(async () => loadScan(new Uint8Array(await file.arrayBuffer()), file.name));
  });
  ui.modelFile.addEventListener('change', () => {
    const files = [...(ui.modelFile.files ?? [])];
    if (files.length) void guarded(async () => setModel(await modelSourceFromFiles(files)));
  });
  ui.segment.addEventListener('click', () => void guarded(segment));
  ui.layout.addEventListener('change', () => view.setLayout(ui.layout.value as ViewLayout));
  ui.showMask.addEventListener('change', () => view.setMaskVisible(ui.showMask.checked));
  ui.opacity.addEventListener('input', () => view.setMaskOpacity(Number(ui.opacity.value)));
  ui.window.addEventListener('change', () => {
    try {
      view.setWindow(parseWindow(ui.window.value));
    } catch (error) {
      status.set('error', errorLine(error));
    }
  });
  // Drag and drop anywhere on the page: a scan, a model (.onnx, or model.json + weights.bin), or both at once.
  document.addEventListener('dragover', (event) => {
    event.preventDefault();
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.addEventListener('drop', (event) => {
    event.preventDefault();
    document.body.classList.remove('dragging');
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length) void guarded(() => takeFiles(files));
  });
}

async function start(): Promise<void> {
  wireControls();
  status.set('idle', 'Open a NIfTI scan (.nii, .nii.gz) and a model (.onnx, or model.json + weights.bin): file pickers or drag and drop.');
  await view.attach(ui.canvas);
  const params = new URLSearchParams(location.search);
  const ok = await guarded(async () => {
    if (params.has('engine')) ui.engine.value = engineOf(params.get('engine')!);
    if (params.has('modality')) {
      const modality = params.get('modality')!;
      if (!['auto', 'ct', 'mr'].includes(modality)) throw new Error(`modality=${modality}: expected auto, ct or mr`);
      ui.modality.value = modality;
    }
    if (params.has('window')) ui.window.value = parseWindow(params.get('window')!).join(',');
    if (params.has('view')) {
      const layout = params.get('view')!;
      if (!['multiplanar', 'axial', 'coronal', 'sagittal'].includes(layout)) throw new Error(`view=${layout}: expected multiplanar, axial, coronal or sagittal`);
      ui.layout.value = layout;
      view.setLayout(layout as ViewLayout);
    }
    const scanUrl = params.get('scan');
    const modelUrl = params.get('model');
    if (scanUrl) await scanFromUrl(scanUrl);
    if (modelUrl) {
      const engine = ui.engine.value;
      await modelFromUrl(modelUrl);
      if (params.has('engine')) ui.engine.value = engine; // the link's engine, even where the model suggests another
    }
  });
  if (ok && params.get('scan') && params.get('model')) await guarded(segment);
}

void start().catch((error: unknown) => status.set('error', errorLine(error)));
