/**
 * The page's state where people and tests can read it: `<body data-status>`, a status line, a progress bar
 * and, for an error, one line in the `role="alert"` element.
 */
export type PageStatus = 'idle' | 'loading' | 'segmenting' | 'done' | 'error';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

export class StatusDisplay {
  private readonly line = element<HTMLParagraphElement>('status-line');
  private readonly alert = element<HTMLDivElement>('alert');
  private readonly progress = element<HTMLProgressElement>('progress');

  set(status: PageStatus, message: string): void {
    document.body.dataset.status = status;
    this.line.textContent = status === 'error' ? '' : message;
    this.alert.textContent = status === 'error' ? message : '';
    this.alert.hidden = status !== 'error';
    if (status !== 'segmenting') this.progress.hidden = true;
  }

  /** Slices done of the scan's total, while segmenting. */
  setProgress(done: number, total: number): void {
    this.progress.hidden = false;
    this.progress.max = total;
    this.progress.value = done;
    this.line.textContent = `Segmenting: ${done} / ${total} slices`;
  }
}

/** One line for any thrown value: the first line of its message (no stacks on the page). */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').find((line) => line.trim().length > 0)?.trim() ?? 'unknown error';
}
