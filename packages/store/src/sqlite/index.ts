import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../migrations.js';
import type { Row } from '../rows.js';
import { EVENT_COLUMNS, eventValues } from '../rows.js';
import { type Sql, SqlStore } from '../sql-store.js';
import type { Store, StoredEvent } from '../types.js';
import type { WriterInit, WriterReply, WriterRequest } from './writer-worker.js';

export interface SqliteOptions {
  /** File path, or ":memory:" for tests. */
  readonly path: string;
  /**
   * FULL (default) makes every acknowledged batch survive a power loss, not just a crash of the
   * server process (NORMAL). Ingest commits many requests together, so FULL costs little.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /**
   * Insert events on a writer thread with its own connection (default for files): the main
   * thread goes on parsing requests while SQLite writes. Off for ":memory:" (one connection only).
   */
  readonly writerThread?: boolean;
}

/**
 * The default store: one file in WAL mode; one connection for everything but event batches, which
 * a writer thread inserts on a second connection (WAL lets the main connection read meanwhile).
 */
export class SqliteStore extends SqlStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  protected readonly sql: Sql;
  private readonly insertOne: Database.Statement;
  private readonly insertMany: (events: readonly StoredEvent[]) => number;
  private readonly writer: Worker | undefined;
  private readonly waiting = new Map<number, { resolve: (n: number) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private writerExited = false;

  private constructor(opts: SqliteOptions) {
    super();
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    const db = new Database(opts.path);
    this.db = db;
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
    db.pragma('busy_timeout = 5000');
    migrate(db);
    const cache = new Map<string, Database.Statement>();
    const prepare = (s: string) => {
      let st = cache.get(s);
      if (!st) {
        st = db.prepare(s);
        cache.set(s, st);
      }
      return st;
    };
    this.sql = {
      all: async (s, params = []) => prepare(s).all(...(params as unknown[])) as Row[],
      run: async (s, params = []) => prepare(s).run(...(params as unknown[])).changes,
    };
    this.insertOne = db.prepare(
      `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`,
    );
    // One prepared statement, one transaction per batch: a batch is committed whole or not at all.
    this.insertMany = db.transaction((events: readonly StoredEvent[]) => {
      let n = 0;
      for (const e of events) n += this.insertOne.run(...eventValues(e)).changes;
      return n;
    });
    if (opts.path !== ':memory:' && opts.writerThread !== false) {
      const init: WriterInit = { path: opts.path, synchronous: opts.synchronous ?? 'FULL' };
      this.writer = new Worker(new URL('./writer-worker.js', import.meta.url), { workerData: init });
      this.writer.on('message', (m: WriterReply) => {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if ('error' in m) w?.reject(new Error(m.error));
        else w?.resolve(m.inserted);
      });
      // A dead writer fails what it was given: nothing is acknowledged that was not committed.
      this.writer.on('error', (e) => this.failAll(e));
      this.writer.on('exit', () => {
        this.writerExited = true;
        this.failAll(new Error('SQLite writer thread exited'));
      });
    }
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  static async open(opts: SqliteOptions): Promise<SqliteStore> {
    return new SqliteStore(opts);
  }

  protected techniqueFacetSql(where: string): string {
    return `SELECT j.value AS value, count(*) AS count FROM events, json_each(events.techniques) AS j ${where} GROUP BY j.value`;
  }

  // One transaction each: in WAL mode with synchronous=FULL every autocommit statement is an fsync.
  override async ensureHosts(
    hosts: readonly { id: string; name?: string | null; os?: string | null }[],
    at: number,
  ): Promise<void> {
    const st = this.db.prepare(
      "INSERT INTO hosts (id, name, os, labels, agent, created_at) VALUES (?, ?, ?, '{}', 0, ?) ON CONFLICT (id) DO NOTHING",
    );
    this.db.transaction(() => {
      for (const h of hosts) st.run(h.id, h.name ?? null, h.os ?? null, at);
    })();
  }
  override async touchHosts(seen: readonly { id: string; at: number }[]): Promise<void> {
    const st = this.db.prepare('UPDATE hosts SET last_seen = ? WHERE id = ? AND (last_seen IS NULL OR last_seen < ?)');
    this.db.transaction(() => {
      for (const h of seen) st.run(h.at, h.id, h.at);
    })();
  }

  async insertEvents(events: readonly StoredEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    if (!this.writer) return this.insertMany(events);
    if (this.writerExited) throw new Error('SQLite writer thread exited');
    // Rows are built here (plain values, cheap to copy to the thread); the thread only inserts.
    const rows = events.map(eventValues);
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.writer!.postMessage({ id, rows } satisfies WriterRequest);
    });
  }

  async migrations(): Promise<number[]> {
    return (this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map(
      (r) => r.version,
    );
  }

  async close(): Promise<void> {
    if (this.writer && !this.writerExited) {
      const exited = new Promise((r) => this.writer!.once('exit', r));
      this.writer.postMessage('close');
      await exited;
    }
    if (this.db.open) this.db.close();
  }
}

function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  // IMMEDIATE takes the write lock first, so two processes starting at once cannot both migrate.
  const run = db.transaction(() => {
    const done = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
    );
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      for (const s of m.sql({ big: 'INTEGER' })) db.exec(s);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    }
  });
  run.immediate();
}
