import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HashRequest, HashResult } from './hash-protocol.js';

/** Batches keep message overhead low for small files; the byte cap keeps big files spread over workers. */
const BATCH_FILES = 32;
const BATCH_BYTES = 8 << 20;
/** Two batches queued per worker so none waits for the main thread between batches. */
const IN_FLIGHT_PER_WORKER = 2;

export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

interface Slot {
  readonly worker: Worker;
  pending: number;
  used: boolean;
}

interface Batch {
  readonly requests: HashRequest[];
  readonly bytes: number;
}

/**
 * A pool of hashing threads fed while the walk is still going: requests are batched as they come,
 * a batch goes to the least busy thread, and a thread is started only when every running one is
 * busy (none for an unchanged re-scan, one for a single file). Results are reported as they arrive.
 */
export class HashPool {
  private readonly slots: Slot[] = [];
  private queue: Batch[] = [];
  private current: HashRequest[] = [];
  private bytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private settle: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly maxWorkers: number,
    private readonly onResult: (r: HashResult) => void,
  ) {}

  /** Threads that hashed something. */
  get started(): number {
    return this.slots.filter((s) => s.used).length;
  }

  /**
   * Starts one thread now, before any request, so it has loaded its code by the time the first
   * batch is ready (for a first scan, where hashing is certain).
   */
  warm(): void {
    if (this.slots.length === 0 && this.maxWorkers > 0) this.spawn();
  }

  push(r: HashRequest & { readonly size: number }): void {
    this.current.push({ id: r.id, path: r.path, md5: r.md5, ...(r.known ? { known: r.known } : {}) });
    this.bytes += r.size;
    // After end() no later push fills the batch: send it at once (hard links released by a result).
    if (this.ended || this.current.length >= BATCH_FILES || this.bytes >= BATCH_BYTES) this.cut();
  }

  /** Every request is pushed: resolves once every result has been reported, then stops the threads. */
  async end(): Promise<void> {
    this.ended = true;
    // What is still queued goes largest first, so no big file is left to one thread at the end.
    if (this.current.length > 0) this.queue.push({ requests: this.current, bytes: this.bytes });
    this.current = [];
    this.queue.sort((a, b) => b.bytes - a.bytes);
    this.dispatch();
    try {
      if (this.failure) throw this.failure;
      if (!this.idle()) await new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
      if (this.failure) throw this.failure;
    } finally {
      await Promise.all(this.slots.map((s) => s.worker.terminate()));
    }
  }

  private idle(): boolean {
    return this.queue.length === 0 && this.slots.every((s) => s.pending === 0);
  }

  private cut(): void {
    if (this.current.length > 0) this.queue.push({ requests: this.current, bytes: this.bytes });
    this.current = [];
    this.bytes = 0;
    this.dispatch();
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.failure) {
      let best: Slot | undefined;
      for (const s of this.slots) if (!best || s.pending < best.pending) best = s;
      if ((!best || best.pending > 0) && this.slots.length < this.maxWorkers) best = this.spawn();
      if (!best || best.pending >= IN_FLIGHT_PER_WORKER) return;
      best.worker.postMessage(this.queue.shift()!.requests);
      best.pending++;
      best.used = true;
    }
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./hash-worker.js', import.meta.url));
    const slot: Slot = { worker, pending: 0, used: false };
    this.slots.push(slot);
    worker.on('message', (results: HashResult[]) => {
      slot.pending--;
      for (const r of results) this.onResult(r);
      this.dispatch();
      if (this.ended && this.idle()) this.settle?.resolve();
    });
    const fail = (e: Error) => {
      this.failure ??= e;
      this.settle?.reject(this.failure);
    };
    worker.once('error', fail);
    worker.once('exit', (code) => {
      if (slot.pending > 0) fail(new Error(`hash worker exited with code ${code}`));
    });
    return slot;
  }
}

/** Runs every request on the pool and reports each result as it arrives (all requests known up front). */
export async function hashAll(
  requests: ReadonlyArray<HashRequest & { readonly size: number }>,
  workerCount: number,
  onResult: (r: HashResult) => void,
): Promise<void> {
  const pool = new HashPool(Math.max(1, workerCount), onResult);
  for (const r of requests) pool.push(r);
  await pool.end();
}
