/** A model as the user gave it: ONNX bytes, or a tfjs model directory (model.json + weights.bin). */
export type ModelSource =
  | { readonly kind: 'onnx'; readonly name: string; readonly bytes: Uint8Array }
  | { readonly kind: 'tfjs-files'; readonly name: string; readonly files: readonly File[] }
  | { readonly kind: 'tfjs-url'; readonly name: string; readonly url: string };

/** The last path segment of a URL or file name, for messages and download names. */
export function fileNameOf(url: string): string {
  const path = url.split(/[?#]/)[0]!;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || url;
}

/** GET `url` as bytes; a failure is one line naming the URL. */
export async function fetchBytes(url: string, what: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`${what} ${url} could not be fetched (${(error as Error).message})`);
  }
  if (!response.ok) throw new Error(`${what} ${url} could not be fetched (HTTP ${response.status} ${response.statusText})`.trim());
  return new Uint8Array(await response.arrayBuffer());
}

/** Picked or dropped files → a model: one `.onnx` file, or `model.json` with its weight files. */
export async function modelSourceFromFiles(files: readonly File[]): Promise<ModelSource> {
  const onnx = files.filter((f) => /\.onnx$/i.test(f.name));
  const json = files.filter((f) => /\.json$/i.test(f.name));
  if (onnx.length === 1 && json.length === 0) return { kind: 'onnx', name: onnx[0]!.name, bytes: new Uint8Array(await onnx[0]!.arrayBuffer()) };
  if (json.length === 1 && onnx.length === 0) return { kind: 'tfjs-files', name: json[0]!.name, files: [json[0]!, ...files.filter((f) => f !== json[0])] };
  const names = files.map((f) => f.name).join(', ') || 'no file';
  throw new Error(`${names}: expected one ONNX model (.onnx, from levit-unet export --format onnx) or a model directory's model.json with its weights.bin`);
}

/** `?model=URL`: an `.onnx` URL is fetched; a `.json` URL is a tfjs model directory (weights fetched beside it). */
export async function modelSourceFromUrl(url: string): Promise<ModelSource> {
  const name = fileNameOf(url);
  if (/\.json$/i.test(name)) return { kind: 'tfjs-url', name, url };
  return { kind: 'onnx', name, bytes: await fetchBytes(url, 'model') };
}
