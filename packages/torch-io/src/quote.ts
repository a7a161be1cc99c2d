/**
 * A name taken from a file (a tensor name, a storage key, a zip member), quoted for an error message:
 * JSON string syntax, so an ordinary name reads "like.this" while newlines and control characters in a
 * corrupt one are escaped and the message stays one line. Long names are cut.
 */
export function quote(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 122 ? `${quoted.slice(0, 120)}…"` : quoted;
}
