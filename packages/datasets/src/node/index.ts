// Kept for callers of the earlier surface; `@levit-unet/safe-fs` owns atomic writes.
export { atomicWriteFile, atomicWriteDir } from '@levit-unet/safe-fs';
export { readBytes } from './io/read-bytes.js';
export { encodePng, writePng } from './io/png.js';
export { readNifti, writeNifti, type WriteNiftiOptions } from './io/nifti-file.js';
export { readNpz, writeNpz } from './io/npz-file.js';
export {
  readSynapseSlice,
  readSynapseVolume,
  readSynapseList,
  synapseTrainFiles,
  synapseTestFiles,
} from './layouts/synapse-dataset.js';
export { writeSynapseTrainCase, writeSynapseTestCase, writeSynapseLists } from './layouts/synapse-writer.js';
export { listNiftiPairs, listMsdCases, type NiftiCase, type NiftiCollection } from './layouts/nifti-folders.js';
export { listAcdcFrames, writeAcdcLists, type AcdcFrame } from './layouts/acdc-dataset.js';
export {
  prepareDataset,
  type PrepareDatasetOptions,
  type PrepareReport,
  type PreparedCase,
} from './transforms/prepare-dataset.js';
export {
  validateDataset,
  detectLayout,
  type ValidationReport,
  type DataProblem,
  type DatasetLayout,
  type ValidateOptions,
} from './validate-data.js';
export {
  writeSyntheticSynapse,
  writeSyntheticNifti,
  type SyntheticSynapseOptions,
  type SyntheticNiftiOptions,
  type SyntheticOptions,
} from './synthetic-data.js';
export { createSliceSource, synapseBatches, type SliceSourceOptions, type SynapseBatchOptions } from './sampling/synapse-loader.js';
export {
  readDatasetCases,
  niftiSplit,
  type DatasetKind,
  type SplitName,
  type DatasetCase,
  type DatasetCasesOptions,
  type DatasetCaseSet,
} from './layouts/dataset-cases.js';
