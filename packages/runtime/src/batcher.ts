export interface BatcherOptions {
  /** Batches being sent at once (each holds a pooled connection while it runs). */
  maxInFlight: number;
  /** Most items in one batch. */
  maxBatch: number;
}

export interface Pending<T, O> {
  item: T;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/**
 * Grouping in the application: items that arrive while `maxInFlight`
 * batches are on the wire wait, and go together in the next one. At low load
 * an item goes out at once (after the current turn of the event loop, which
 * gathers the items made in it); under load each batch carries many, so an
 * item costs a fraction of a round trip and of the batch's fixed work.
 * `send` settles every item of its batch; `alone` marks items that must go
 * in a batch of their own.
 */
export class Batcher<T, O> {
  private waiting: Pending<T, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly o: BatcherOptions,
    private readonly send: (batch: Pending<T, O>[]) => Promise<void>,
    private readonly alone: (item: T) => boolean = () => false,
  ) {}

  add(item: T): Promise<O> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.inFlight < this.o.maxInFlight && this.waiting.length) {
      const batch = this.take();
      this.inFlight++;
      void this.send(batch)
        .catch((e: unknown) => {
          for (const p of batch) p.reject(e);
        })
        .finally(() => {
          this.inFlight--;
          this.flush();
        });
    }
  }

  private take(): Pending<T, O>[] {
    if (this.alone(this.waiting[0]!.item)) return this.waiting.splice(0, 1);
    const batch: Pending<T, O>[] = [];
    const rest: Pending<T, O>[] = [];
    for (const p of this.waiting) (batch.length < this.o.maxBatch && !this.alone(p.item) ? batch : rest).push(p);
    this.waiting = rest;
    return batch;
  }
}
