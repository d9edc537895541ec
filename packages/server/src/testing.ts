// Test harness: a server on a fresh SQLite file (or a PostgreSQL schema), with a movable clock and
// one token per role. Used by this package's tests only.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Role, type Store } from '@execguard/store';
import type { LightMyRequestResponse } from 'fastify';
import { createServer, type ExecGuardServer, type ServerOptions } from './app.js';

export const T0 = Date.parse('2026-12-01T00:00:00Z');
export const DAY = 86_400_000;

export interface Harness {
  readonly server: ExecGuardServer;
  readonly store: Store;
  readonly dir: string;
  readonly clock: { now: number };
  readonly tokens: Record<Exclude<Role, 'agent'> | 'approver2' | 'aliceApprover', string>;
  /** Agent credentials by host id. */
  readonly agents: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are read field by field
  call(method: string, url: string, token: string | null, body?: unknown): Promise<LightMyRequestResponse & { json(): any }>;
  enrol(hostId: string, opts?: { group?: string; role?: string; labels?: Record<string, string> }): Promise<string>;
  close(): Promise<void>;
}

/** The PostgreSQL server of the store tests (trust auth, database "test"). */
export const TEST_PG = process.env.EXECGUARD_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A server on a fresh SQLite file, or with `db: 'postgres'` on a fresh PostgreSQL schema dropped at close. */
export async function harness(opts: Partial<ServerOptions> = {}, db: 'sqlite' | 'postgres' = 'sqlite'): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-server-'));
  const schema = `eg_srv_${randomBytes(6).toString('hex')}`;
  const store = await openStore(db === 'postgres' ? `${TEST_PG}?schema=${schema}` : `sqlite:${join(dir, 'server.db')}`);
  const clock = { now: T0 };
  const server = await createServer({
    store,
    now: () => clock.now,
    jobs: false,
    signing: { keyFile: join(dir, 'keys', 'execguard-signing.key') },
    ...opts,
  });
  const call: Harness['call'] = async (method, url, token, body) =>
    server.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  const admin = server.bootstrapToken!;
  const mk = async (subject: string, role: string) => {
    const r = await call('POST', '/v1/tokens', admin, { subject, role });
    if (r.statusCode !== 201) throw new Error(`token: ${r.body}`);
    return r.json().token as string;
  };
  const tokens = {
    admin,
    viewer: await mk('victor', 'viewer'),
    analyst: await mk('alice', 'analyst'),
    aliceApprover: await mk('alice', 'approver'),
    approver: await mk('bob', 'approver'),
    approver2: await mk('carol', 'approver'),
  };
  const agents: Record<string, string> = {};
  const enrol: Harness['enrol'] = async (hostId, o = {}) => {
    const e = await call('POST', '/v1/enrolment-tokens', admin, o);
    if (e.statusCode !== 201) throw new Error(`enrolment token: ${e.body}`);
    const r = await call('POST', '/v1/enrol', e.json().token, { hostId, name: hostId, os: 'linux' });
    if (r.statusCode !== 201) throw new Error(`enrol: ${r.body}`);
    agents[hostId] = r.json().token;
    return r.json().token as string;
  };
  return {
    server,
    store,
    dir,
    clock,
    tokens,
    agents,
    call,
    enrol,
    close: async () => {
      await server.close();
      if (db === 'postgres') await (store as unknown as { dropSchema(): Promise<void> }).dropSchema();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A minimal valid ExecEvent. */
export function execEvent(id: string, host: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@timestamp': new Date(T0).toISOString(),
    event: { id, kind: 'event', category: ['process'], type: ['start'] },
    host: { id: host, name: host },
    process: { executable: '/usr/bin/true', name: 'true', args: ['/usr/bin/true'], hash: { sha256: 'a'.repeat(64) } },
    ...over,
  };
}
