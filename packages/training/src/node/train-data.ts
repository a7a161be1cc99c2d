import type { SampleSource } from '@levit-unet/datasets';
import { createSliceSource, synapseTrainFiles } from '@levit-unet/datasets/node';

/** Training data from a Synapse (TransUNet layout) root: `lists_Synapse/train.txt` → `train_npz/*.npz`. */
export interface SynapseTrainData {
  kind: 'synapse';
  root: string;
  /** TransUNet's random rotation/flip augmentation (default true). */
  augment?: boolean;
  /** Slices are resized to imgSize × imgSize (default 224). */
  imgSize?: number;
  /** Decoding worker threads (default: available cores; 0 = main thread). */
  workers?: number;
}

/** A Synapse root, or any `SampleSource` (then `resume` needs it passed again). */
export type TrainData = SampleSource | SynapseTrainData;

/** The data as config.json records it: enough to open a Synapse root again, only the length of a custom source. */
export type TrainDataDescription = (Omit<SynapseTrainData, 'augment' | 'imgSize'> & { augment: boolean; imgSize: number }) | { kind: 'custom'; length: number };

/** An opened source; `close` releases what this module opened (a caller's own source is left open). */
export interface OpenedTrainData {
  source: SampleSource;
  description: TrainDataDescription;
  close(): Promise<void>;
}

function isSampleSource(data: TrainData): data is SampleSource {
  return typeof (data as SampleSource).load === 'function';
}

async function openSynapse(data: SynapseTrainData, numClasses: number): Promise<OpenedTrainData> {
  const imgSize = data.imgSize ?? 224;
  const augment = data.augment ?? true;
  const files = await synapseTrainFiles(data.root);
  const source = createSliceSource(files, { augment, outputSize: [imgSize, imgSize], numClasses, ...(data.workers === undefined ? {} : { workers: data.workers }) });
  return { source, description: { ...data, augment, imgSize }, close: async () => source.close?.() };
}

const borrowed = (source: SampleSource): OpenedTrainData => ({ source, description: { kind: 'custom', length: source.length }, close: async () => undefined });

/** A new run's data. */
export async function openTrainData(data: TrainData, numClasses: number): Promise<OpenedTrainData> {
  return isSampleSource(data) ? borrowed(data) : openSynapse(data, numClasses);
}

/** Checked before anything is loaded, so a wrong source is refused even for a completed run. */
export function checkResumedData(recorded: TrainDataDescription, passed: SampleSource | undefined): void {
  if (passed && passed.length !== (recorded.kind === 'custom' ? recorded.length : passed.length)) {
    throw new Error(`resume: the data has ${passed.length} samples, the run had ${recorded.kind === 'custom' ? recorded.length : '?'}`);
  }
}

/** A resumed run's data: the source passed again, or the recorded Synapse root. */
export async function reopenTrainData(runDir: string, recorded: TrainDataDescription, numClasses: number, passed: SampleSource | undefined): Promise<OpenedTrainData> {
  if (passed) return { ...borrowed(passed), description: recorded };
  if (recorded.kind === 'custom') throw new Error(`${runDir} was trained from a custom SampleSource: pass it again as options.data`);
  return openSynapse(recorded, numClasses);
}
