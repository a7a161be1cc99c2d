import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acdcFramePaths, acdcListFiles, parseAcdcInfo } from '../../layouts/acdc-layout.js';
import { DataError } from '../../data-error.js';
import { atomicWriteFile } from '@levit-unet/safe-fs';

/** One annotated ACDC frame: the patient, which phase, and the image/ground-truth paths. */
export interface AcdcFrame {
  patient: number;
  phase: 'ED' | 'ES';
  frame: number;
  image: string;
  label: string;
}

/** Finds `patientNNN` folders at the root or one/two levels down (`training/`, `database/training/`). */
async function patientDirs(root: string, depth = 0): Promise<Array<{ id: number; dir: string }>> {
  const entries = await readdir(root, { withFileTypes: true }).catch((error: unknown) => {
    throw new DataError(root, 'folder not found or unreadable', { cause: error });
  });
  const found: Array<{ id: number; dir: string }> = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const m = /^patient(\d{3})$/.exec(entry.name);
    if (m) found.push({ id: Number(m[1]), dir: join(root, entry.name) });
    else if (depth < 2) found.push(...(await patientDirs(join(root, entry.name), depth + 1)));
  }
  return found.sort((a, b) => a.id - b.id);
}

/**
 * The annotated ED and ES frames of an ACDC folder as distributed (`patientNNN/Info.cfg`,
 * `patientNNN_frameNN.nii.gz` and `_gt.nii.gz`), read from each patient's Info.cfg.
 */
export async function listAcdcFrames(root: string): Promise<AcdcFrame[]> {
  const frames: AcdcFrame[] = [];
  for (const { id, dir } of await patientDirs(root)) {
    const infoPath = join(dir, 'Info.cfg');
    const info = parseAcdcInfo(
      await readFile(infoPath, 'utf8').catch((error: unknown) => {
        throw new DataError(infoPath, 'Info.cfg not found', { cause: error });
      }),
      infoPath,
    );
    for (const [phase, frame] of [['ED', info.ed] as const, ['ES', info.es] as const]) {
      const paths = acdcFramePaths(id, frame);
      frames.push({ patient: id, phase, frame, image: join(dir, '..', paths.image), label: join(dir, '..', paths.label) });
    }
  }
  return frames;
}

/** Writes the 70/10/20 split as `train.txt`, `valid.txt`, `test.txt` (one `patientNNN` per line) into `dir`. */
export async function writeAcdcLists(dir: string): Promise<void> {
  for (const [name, text] of Object.entries(acdcListFiles())) await atomicWriteFile(join(dir, name), text);
}
