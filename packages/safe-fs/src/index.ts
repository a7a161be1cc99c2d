export { atomicWriteFile, atomicWriteDir } from './atomic-write.js';
