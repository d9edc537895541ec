import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HashRequest, HashResult } from './hash-protocol.js';

/** Batches keep message overhead low for small files; the byte cap keeps big files spread over workers. */
const BATCH_FILES = 32;
const BATCH_BYTES = 16 << 20;
/** Two batches queued per worker so none waits for the main thread between batches. */
const IN_FLIGHT_PER_WORKER = 2;

export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Runs every request on a small pool of worker threads and reports each result as it arrives.
 * Starts no threads when there is nothing to hash (an unchanged re-scan).
 */
export async function hashAll(
  requests: ReadonlyArray<HashRequest & { readonly size: number }>,
  workerCount: number,
  onResult: (r: HashResult) => void,
): Promise<void> {
  if (requests.length === 0) return;
  const batches: HashRequest[][] = [];
  let current: HashRequest[] = [];
  let bytes = 0;
  for (const r of requests) {
    current.push({ id: r.id, path: r.path, md5: r.md5 });
    bytes += r.size;
    if (current.length >= BATCH_FILES || bytes >= BATCH_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
  }
  if (current.length > 0) batches.push(current);

  const size = Math.max(1, Math.min(workerCount, batches.length));
  const workers = Array.from({ length: size }, () => new Worker(new URL('./hash-worker.js', import.meta.url)));
  let next = 0;
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let pending = 0;
            const feed = () => {
              while (pending < IN_FLIGHT_PER_WORKER && next < batches.length) {
                worker.postMessage(batches[next++]);
                pending++;
              }
              if (pending === 0) resolve();
            };
            worker.on('message', (results: HashResult[]) => {
              pending--;
              for (const r of results) onResult(r);
              feed();
            });
            worker.once('error', reject);
            worker.once('exit', (code) => (pending > 0 ? reject(new Error(`hash worker exited with code ${code}`)) : undefined));
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
