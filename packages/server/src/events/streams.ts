/**
 * The open event streams of this process, with their limits: a few per
 * viewer (tabs and windows), a ceiling for the process, and all of them
 * closed on shutdown (an open stream would otherwise hold the HTTP server's
 * close until its timeout).
 */
import { ApiError } from '../errors.ts';

export interface StreamLimits {
  perViewer: number;
  total: number;
}

export interface StreamSlot {
  /** Frees the place; called once when the stream ends, however it ends. */
  release(): void;
  /** What `closeAll` does to this stream. */
  onShutdown(close: () => void): void;
}

export class EventStreams {
  private readonly perViewer = new Map<string, number>();
  private readonly closers = new Map<StreamSlot, (() => void) | undefined>();
  private shuttingDown = false;

  constructor(private readonly limits: StreamLimits) {}

  /** Open streams now. */
  get size(): number {
    return this.closers.size;
  }

  /** A place for one more stream of `viewerKey`; 429 when that viewer has its share open, 503 when the process is full or closing. */
  reserve(viewerKey: string): StreamSlot {
    if (this.shuttingDown) throw new ApiError(503, 'the server is shutting down: connect again', undefined, { 'Retry-After': '3' });
    const mine = this.perViewer.get(viewerKey) ?? 0;
    if (mine >= this.limits.perViewer) {
      throw new ApiError(429, `you have ${mine} event streams open, the most allowed: close one (another tab or window) first`, {
        maxPerViewer: this.limits.perViewer,
      });
    }
    if (this.closers.size >= this.limits.total) {
      throw new ApiError(
        503,
        'this server has as many event streams open as it allows: try again shortly',
        { maxStreams: this.limits.total },
        { 'Retry-After': '10' },
      );
    }
    this.perViewer.set(viewerKey, mine + 1);
    let released = false;
    const slot: StreamSlot = {
      release: () => {
        if (released) return;
        released = true;
        this.closers.delete(slot);
        const n = (this.perViewer.get(viewerKey) ?? 1) - 1;
        if (n > 0) this.perViewer.set(viewerKey, n);
        else this.perViewer.delete(viewerKey);
      },
      onShutdown: (close) => {
        if (!released) this.closers.set(slot, close);
      },
    };
    this.closers.set(slot, undefined);
    return slot;
  }

  /** Ends every open stream and refuses new ones (server shutdown). */
  closeAll(): void {
    this.shuttingDown = true;
    for (const [slot, close] of [...this.closers]) {
      close?.();
      slot.release();
    }
  }
}
