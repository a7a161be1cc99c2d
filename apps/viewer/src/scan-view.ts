import { NVImage, Niivue, SLICE_TYPE } from '@niivue/niivue';
import type { LabelSet } from './label-sets.js';

export type ViewLayout = 'multiplanar' | 'axial' | 'coronal' | 'sagittal';

const SLICE_TYPES: Record<ViewLayout, SLICE_TYPE> = {
  multiplanar: SLICE_TYPE.MULTIPLANAR,
  axial: SLICE_TYPE.AXIAL,
  coronal: SLICE_TYPE.CORONAL,
  sagittal: SLICE_TYPE.SAGITTAL,
};

/** NiiVue wants its own copy: it may keep or transfer the buffer it is given. */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}

/**
 * The scan and its mask in NiiVue (WebGL2): axial / coronal / sagittal views, scrolling and window/level
 * with the mouse (right-drag), the mask as a label volume in the label set's colours.
 */
export class ScanView {
  private readonly nv = new Niivue({
    backColor: [0, 0, 0, 1],
    crosshairWidth: 1,
    dragAndDropEnabled: false, // the page takes drops itself (scans and models)
    isColorbar: false,
    show3Dcrosshair: false,
    loadingText: 'open a NIfTI scan (.nii, .nii.gz): file picker or drag and drop',
    logLevel: 'warn',
  });
  private scan: NVImage | null = null;
  private mask: NVImage | null = null;
  private maskOpacity = 0.5;
  private maskVisible = true;

  async attach(canvas: HTMLCanvasElement): Promise<void> {
    await this.nv.attachToCanvas(canvas);
    this.nv.setSliceType(SLICE_TYPES.multiplanar);
  }

  /** Shows a scan (NIfTI bytes), displayed with the CT window `[low, high]` when given; removes any mask. */
  async showScan(bytes: Uint8Array, name: string, window?: readonly [number, number]): Promise<void> {
    for (const volume of [...this.nv.volumes]) this.nv.removeVolume(volume);
    this.mask = null;
    const scan = await NVImage.loadFromUrl({ url: ownBuffer(bytes), name });
    if (window) {
      scan.cal_min = window[0];
      scan.cal_max = window[1];
    }
    this.nv.addVolume(scan);
    this.scan = scan;
  }

  /** Shows a label map (NIfTI bytes on the scan's grid) over the scan, in `labels`' colours. */
  async showMask(bytes: Uint8Array, name: string, labels: LabelSet): Promise<void> {
    if (this.mask) this.nv.removeVolume(this.mask);
    const mask = await NVImage.loadFromUrl({ url: ownBuffer(bytes), name });
    mask.setColormapLabel({
      R: labels.colours.map((c) => c[0]),
      G: labels.colours.map((c) => c[1]),
      B: labels.colours.map((c) => c[2]),
      A: labels.colours.map((_, k) => (k === 0 ? 0 : 255)),
      I: labels.colours.map((_, k) => k),
      labels: [...labels.names],
    });
    this.nv.addVolume(mask);
    this.mask = mask;
    this.applyMaskOpacity();
  }

  setMaskOpacity(opacity: number): void {
    this.maskOpacity = opacity;
    this.applyMaskOpacity();
  }

  setMaskVisible(visible: boolean): void {
    this.maskVisible = visible;
    this.applyMaskOpacity();
  }

  private applyMaskOpacity(): void {
    const index = this.mask ? this.nv.volumes.indexOf(this.mask) : -1;
    if (index >= 0) this.nv.setOpacity(index, this.maskVisible ? this.maskOpacity : 0);
  }

  /** The display window in the scan's units (HU for CT); the mouse changes it too (right-drag). */
  setWindow(window: readonly [number, number]): void {
    if (!this.scan) return;
    this.scan.cal_min = window[0];
    this.scan.cal_max = window[1];
    this.nv.updateGLVolume();
  }

  setLayout(layout: ViewLayout): void {
    this.nv.setSliceType(SLICE_TYPES[layout]);
  }

  /** Moves the crosshair (the three views' slices) to a point in world millimetres (the scan's affine). */
  moveTo(mm: readonly [number, number, number]): void {
    this.nv.scene.crosshairPos = this.nv.mm2frac([mm[0], mm[1], mm[2]]);
    this.nv.drawScene();
  }
}
