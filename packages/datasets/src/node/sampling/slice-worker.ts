import { parentPort } from 'node:worker_threads';
import { DataError } from '../../data-error.js';
import { runSliceTask, type SliceTask } from './slice-task.js';

// Worker entry of the slice loader: decodes and augments off the main thread and hands the typed arrays
// back as transferables (no copy).
parentPort!.on('message', async ({ id, task }: { id: number; task: SliceTask }) => {
  try {
    const { image, label } = await runSliceTask(task);
    const imageData = ownBuffer(image.data);
    const labelData = ownBuffer(label.data);
    parentPort!.postMessage({ id, image: imageData, label: labelData, shape: image.shape }, [
      imageData.buffer as ArrayBuffer,
      labelData.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    const data = error instanceof DataError ? { source: error.source, problem: error.problem } : undefined;
    parentPort!.postMessage({ id, error: { message: error instanceof Error ? error.message : String(error), data } });
  }
});

/** A typed array that owns its whole buffer (a view into a larger one is copied), so transferring it moves only its data. */
function ownBuffer<T extends Float32Array | Int32Array>(data: T): T {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : (data.slice() as T);
}
