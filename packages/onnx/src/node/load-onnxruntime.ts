export type OrtModule = typeof import('onnxruntime-node');

/** onnxruntime-node is an optional peer dependency: loaded on first use, with a clear error naming `caller` when absent. */
export async function loadOnnxRuntime(caller: string): Promise<OrtModule> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    throw new Error(
      `${caller} needs the optional peer dependency onnxruntime-node, which could not be loaded (${(error as Error).message}): ` +
        `install it with \`npm install onnxruntime-node\` (ONNXRUNTIME_NODE_INSTALL=skip skips its optional CUDA download)`,
    );
  }
}
