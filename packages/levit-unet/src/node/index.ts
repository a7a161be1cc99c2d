export { createProgram, runCli } from './cli/program.js';
export {
  readSafetensorsFile,
  readTorchCheckpointFile,
  readTorchStateDictFile,
  writeSafetensorsFile,
} from './weights-files.js';
