import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { writeSyntheticSynapse } from '@levit-unet/datasets/node';
import type { SynapseTrainData } from '../src/node/index.js';

/**
 * A temporary folder with a small synthetic Synapse training set (2 phantoms of 4 slices, 64², read at
 * 32² with augmentation), made before the file's tests and removed after them.
 */
export function syntheticSynapseRuns(prefix: string): { readonly tmp: string; readonly data: SynapseTrainData } {
  const fixture = { tmp: '', data: undefined as unknown as SynapseTrainData };
  beforeAll(async () => {
    fixture.tmp = await mkdtemp(join(tmpdir(), prefix));
    await writeSyntheticSynapse(join(fixture.tmp, 'data'), { shape: [4, 64, 64], trainCases: 2, testCases: 0, seed: 1 });
    fixture.data = { kind: 'synapse', root: join(fixture.tmp, 'data'), augment: true, imgSize: 32, workers: 0 };
  });
  afterAll(async () => {
    await rm(fixture.tmp, { recursive: true, force: true });
  });
  return fixture;
}
