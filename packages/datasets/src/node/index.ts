export { atomicWriteFile, atomicWriteDir } from './atomic-write.js';
export { readBytes } from './read-bytes.js';
export { readNifti, writeNifti, type WriteNiftiOptions } from './nifti-file.js';
export { readNpz, writeNpz } from './npz-file.js';
