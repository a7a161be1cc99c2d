export { atomicWriteFile, atomicWriteDir } from './atomic-write.js';
export { replaceDir, checkReplaceable, type ReplaceDirOptions } from './replace-dir.js';
export { recoverDir, recoverDirSync, type Recovery } from './recover-dir.js';
export { removeStaleTemporaries } from './stale-temporaries.js';
export { trackTemporary } from './signal-cleanup.js';
export { resolveInside, resolveInsideSync } from './resolve-inside.js';
export { isPathInside } from './is-path-inside.js';
export type { CrashPoint } from './crash-point.js';
export { canonicalPath, isSamePath } from './same-path.js';
