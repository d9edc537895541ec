import type { Store } from './types.js';

export interface OpenOptions {
  /** PostgreSQL schema (default "execguard"). */
  readonly schema?: string;
  readonly synchronous?: 'FULL' | 'NORMAL';
}

/**
 * Opens the store a URL names: `sqlite:PATH` (or a bare path ending in .db/.sqlite) or
 * `postgres://…` / `postgresql://…` (optionally `?schema=NAME`, default "execguard"). The driver of the other database is never loaded.
 */
export async function openStore(url: string, opts: OpenOptions = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresStore } = await import('./postgres/index.js');
    // ?schema=NAME selects the schema (the driver itself does not know the parameter).
    const u = new URL(url);
    const schema = u.searchParams.get('schema') ?? opts.schema;
    u.searchParams.delete('schema');
    return PostgresStore.open({ url: u.toString(), ...(schema ? { schema } : {}) });
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (path === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new RangeError(`unsupported database "${url}": expected sqlite:PATH or postgres://…`);
  }
  const { SqliteStore } = await import('./sqlite/index.js');
  return SqliteStore.open({ path, ...(opts.synchronous ? { synchronous: opts.synchronous } : {}) });
}
