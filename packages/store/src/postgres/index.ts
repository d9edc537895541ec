import pg from 'pg';
import { MIGRATIONS } from '../migrations.js';
import type { Row } from '../rows.js';
import { EVENT_COLUMNS, eventValues } from '../rows.js';
import { type Sql, SqlStore } from '../sql-store.js';
import type { Store, StoredEvent } from '../types.js';

export interface PostgresOptions {
  /** postgres://user@host:port/database */
  readonly url: string;
  /** Schema to use (created if absent); tests use a fresh one per run. Default "execguard". */
  readonly schema?: string;
  readonly maxConnections?: number;
}

// BIGINT (oid 20) comes back as a string by default; every BIGINT here is a time or a counter
// well inside Number's exact range.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** `?` placeholders (shared SQL) become $1, $2, … (none of the shared statements has `?` in a literal). */
const numbered = (s: string) => {
  let i = 0;
  return s.replace(/\?/g, () => `$${++i}`);
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Rows per INSERT: 12 columns × 400 rows stays far below PostgreSQL's 65,535 parameters. */
const CHUNK = 400;

/** The scale-out store: a connection pool; batch inserts are multi-row INSERT … ON CONFLICT DO NOTHING. */
export class PostgresStore extends SqlStore implements Store {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly schema: string;
  protected readonly sql: Sql;
  private readonly texts = new Map<string, string>();

  private constructor(opts: PostgresOptions) {
    super();
    const schema = opts.schema ?? 'execguard';
    if (!SCHEMA_NAME.test(schema)) throw new RangeError(`invalid schema name "${schema}"`);
    this.schema = schema;
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.maxConnections ?? 10,
      types,
      // Every connection works in the store's schema, so the shared SQL needs no qualification.
      options: `-c search_path=${schema}`,
    });
    // An idle client losing its connection must not crash the server; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.sql = {
      all: async (s, params = []) => (await this.pool.query(this.text(s), params as unknown[])).rows as Row[],
      run: async (s, params = []) => (await this.pool.query(this.text(s), params as unknown[])).rowCount ?? 0,
    };
  }

  private text(s: string): string {
    let t = this.texts.get(s);
    if (t === undefined) {
      t = numbered(s);
      this.texts.set(s, t);
    }
    return t;
  }

  static async open(opts: PostgresOptions): Promise<PostgresStore> {
    const store = new PostgresStore(opts);
    try {
      await store.migrate();
    } catch (e) {
      await store.pool.end();
      throw e;
    }
    return store;
  }

  private async migrate(): Promise<void> {
    const c = await this.pool.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await c.query('BEGIN');
      // Serialises concurrent server starts on the same database.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`execguard-migrate-${this.schema}`]);
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const done = new Set((await c.query('SELECT version FROM schema_migrations')).rows.map((r: Row) => Number(r.version)));
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        for (const s of m.sql({ big: 'BIGINT' })) await c.query(s);
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          Date.now(),
        ]);
      }
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  protected techniqueFacetSql(where: string): string {
    return `SELECT t.value AS value, count(*) AS count FROM events CROSS JOIN LATERAL jsonb_array_elements_text(events.techniques::jsonb) AS t(value) ${where} GROUP BY t.value`;
  }

  override async ensureHosts(
    hosts: readonly { id: string; name?: string | null; os?: string | null }[],
    at: number,
  ): Promise<void> {
    if (hosts.length === 0) return;
    await this.pool.query(
      `INSERT INTO hosts (id, name, os, labels, agent, created_at)
       SELECT id, name, os, '{}', 0, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, name, os)
       ON CONFLICT (id) DO NOTHING`,
      [hosts.map((h) => h.id), hosts.map((h) => h.name ?? null), hosts.map((h) => h.os ?? null), at],
    );
  }
  override async touchHosts(seen: readonly { id: string; at: number }[]): Promise<void> {
    if (seen.length === 0) return;
    await this.pool.query(
      `UPDATE hosts AS h SET last_seen = v.at FROM unnest($1::text[], $2::bigint[]) AS v(id, at)
       WHERE h.id = v.id AND (h.last_seen IS NULL OR h.last_seen < v.at)`,
      [seen.map((h) => h.id), seen.map((h) => h.at)],
    );
  }

  async insertEvents(events: readonly StoredEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      let n = 0;
      for (let i = 0; i < events.length; i += CHUNK) {
        const chunk = events.slice(i, i + CHUNK);
        const params: unknown[] = [];
        const rows: string[] = [];
        for (const e of chunk) {
          const base = params.length;
          params.push(...eventValues(e));
          rows.push(`(${EVENT_COLUMNS.map((_, j) => `$${base + j + 1}`).join(', ')})`);
        }
        const r = await c.query(
          `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES ${rows.join(', ')} ON CONFLICT (id) DO NOTHING`,
          params,
        );
        n += r.rowCount ?? 0;
      }
      await c.query('COMMIT');
      return n;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async migrations(): Promise<number[]> {
    return (await this.pool.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r: Row) =>
      Number(r.version),
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Drops the store's schema and everything in it (tests). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }
}
