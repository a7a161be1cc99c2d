/** Whether an `import()` failed because the (optional) package is not installed, rather than broken. */
export function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  // Bundlers and test runners (vite) report an absent optional package with their own message instead of a code.
  const message = (error as { message?: string } | null)?.message ?? '';
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Could not resolve "|Cannot find (module|package)/.test(message);
}
