// The SQLite event writer thread: inserts batches of event rows in one transaction each, on its own
// connection, so that parsing and validating requests on the main thread overlaps with SQLite's
// work (better-sqlite3 is synchronous and would otherwise stall the event loop for every commit).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { EVENT_COLUMNS } from '../rows.js';

export interface WriterInit {
  readonly path: string;
  readonly synchronous: 'FULL' | 'NORMAL';
}
export interface WriterRequest {
  readonly id: number;
  readonly rows: unknown[][];
}
export type WriterReply = { readonly id: number; readonly inserted: number } | { readonly id: number; readonly error: string };

const init = workerData as WriterInit;
const db = new Database(init.path);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${init.synchronous}`);
db.pragma('busy_timeout = 5000');
// The indexes of a growing events table stay hot in a larger page cache.
db.pragma('cache_size = -65536');
const insert = db.prepare(
  `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`,
);
const insertAll = db.transaction((rows: unknown[][]) => {
  let n = 0;
  for (const r of rows) n += insert.run(...r).changes;
  return n;
});

parentPort!.on('message', (m: WriterRequest | 'close') => {
  if (m === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  try {
    parentPort!.postMessage({ id: m.id, inserted: insertAll(m.rows) } satisfies WriterReply);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message } satisfies WriterReply);
  }
});
