import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '@execguard/store';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const main = join(root, 'packages', 'cli', 'dist', 'main.js');
const tmp = mkdtempSync(join(tmpdir(), 'execguard-serve-'));
const PG = process.env.EXECGUARD_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Served {
  child: ChildProcess;
  url: string;
  token: string;
}

function serve(db: string, extra: string[] = []): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        main,
        'serve',
        '--db',
        db,
        '--port',
        '0',
        '--json',
        '--signing-key',
        join(tmp, `keys-${randomBytes(4).toString('hex')}`, 'execguard-signing.key'),
        ...extra,
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
    });
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        const info = JSON.parse(out.slice(0, nl));
        resolve({ child, url: info.listening, token: info.bootstrapToken });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

const exited = (c: ChildProcess) =>
  new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)));

test('serve --help documents options and exit codes; bad options exit 2', () => {
  const h = run(['serve', '--help']);
  assert.equal(h.code, 0);
  for (const s of ['--db', '--port', '--host', '--tls-cert', '--tls-key', 'Exit codes', 'bootstrap admin token'])
    assert.ok(h.out.includes(s), s);
  assert.equal(run(['serve', '--port', 'x']).code, 2);
  assert.equal(run(['serve', '--db', 'mysql://x']).code, 2);
  const tls = run(['serve', '--tls-cert', join(tmp, 'missing.pem')]);
  assert.equal(tls.code, 2);
  assert.match(tls.err, /--tls-cert and --tls-key go together/);
  const unreadable = run(['serve', '--tls-cert', join(tmp, 'no.pem'), '--tls-key', join(tmp, 'no.key')]);
  assert.equal(unreadable.code, 2);
  assert.match(unreadable.err, /cannot read \(ENOENT\)/);
});

test('the bootstrap token is printed on the first start only', async () => {
  const db = `sqlite:${join(tmp, 'boot.db')}`;
  const a = await serve(db);
  assert.match(a.token, /^egt_/);
  const r = await fetch(new URL('/v1/hosts', a.url), { headers: { authorization: `Bearer ${a.token}` } });
  assert.equal(r.status, 200);
  a.child.kill('SIGTERM');
  assert.equal(await new Promise((res) => a.child.once('exit', res)), 0, 'SIGTERM stops cleanly with 0');
  const b = await serve(db);
  assert.equal(b.token, null);
  b.child.kill('SIGTERM');
  await exited(b.child);
});

test('ingest --server uploads normalised events; hosts from the logs appear; a second upload stores nothing twice', async () => {
  const s = await serve(`sqlite:${join(tmp, 'ingest.db')}`);
  try {
    const auditd = join(root, 'packages', 'telemetry', 'src', 'sources', 'auditd', 'fixtures', 'record-execve.txt');
    const nxlog = join(root, 'packages', 'telemetry', 'src', 'sources', 'security-4688', 'fixtures', 'nxlog-4688.json');
    const local = run(['ingest', auditd, nxlog]);
    const n = local.out.trim().split('\n').length;
    for (let i = 0; i < 2; i++) {
      const r = run(['ingest', auditd, nxlog, '--server', s.url, '--batch', '2', '--json'], { EXECGUARD_TOKEN: s.token });
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, '', 'events are uploaded, not printed');
      assert.equal(JSON.parse(r.err.trim().split('\n').pop()!).uploaded, n);
    }
    const ev = (await (
      await fetch(new URL('/v1/events?limit=1', s.url), { headers: { authorization: `Bearer ${s.token}` } })
    ).json()) as { total: number };
    assert.equal(ev.total, n);
    const hosts = (await (
      await fetch(new URL('/v1/hosts', s.url), { headers: { authorization: `Bearer ${s.token}` } })
    ).json()) as { hosts: { agent: boolean }[] };
    assert.ok(hosts.hosts.length >= 1);
    assert.ok(hosts.hosts.every((h: { agent: boolean }) => !h.agent));
    const bad = run(['ingest', auditd, '--server', s.url, '--token', `egt_${'C'.repeat(43)}`]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /HTTP 401/);
    assert.equal(run(['ingest', auditd, '--server', s.url]).code, 2, 'no token');
    assert.equal(run(['ingest', auditd, '--server', 'ftp://x', '--token', 't']).code, 2);
  } finally {
    s.child.kill('SIGTERM');
    await exited(s.child);
  }
});

/**
 * Uploads batches from many concurrent clients, SIGKILLs the server while batches are in flight,
 * then opens the database directly: every event of every acknowledged batch must be there, and no
 * batch may be half stored.
 */
async function killMidBatch(db: string) {
  const s = await serve(db);
  const acked: string[][] = [];
  const sent: string[][] = [];
  let killed = false;
  const client = async (c: number) => {
    for (let b = 0; !killed; b++) {
      const ids = Array.from({ length: 500 }, (_, i) => `c${c}-b${b}-e${i}`);
      sent.push(ids);
      const events = ids.map((id) => ({
        '@timestamp': new Date().toISOString(),
        event: { id },
        host: { id: `crash-${c}` },
        process: { executable: '/usr/bin/x', command_line: 'x '.repeat(50) },
      }));
      try {
        const r = await fetch(new URL('/v1/events', s.url), {
          method: 'POST',
          headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        });
        if (r.status === 200) acked.push(ids);
        await r.arrayBuffer();
      } catch {
        return; // the server is gone
      }
    }
  };
  const clients = Array.from({ length: 8 }, (_, c) => client(c));
  while (acked.length < 20) await new Promise((r) => setTimeout(r, 5));
  s.child.kill('SIGKILL');
  killed = true;
  await exited(s.child);
  await Promise.all(clients);
  assert.ok(sent.length > acked.length, 'some batches were in flight when the server died');
  const store = await openStore(db);
  try {
    for (const ids of acked) {
      for (const id of ids) {
        const host = `crash-${id.slice(1, id.indexOf('-'))}`;
        assert.ok(await store.getEvent(`${host}/${id}`), `acknowledged event ${id} lost`);
      }
    }
    // Batches are atomic: all of a batch or none of it.
    for (const ids of sent) {
      const host = (id: string) => `crash-${id.slice(1, id.indexOf('-'))}`;
      const first = (await store.getEvent(`${host(ids[0]!)}/${ids[0]}`)) !== null;
      const last = (await store.getEvent(`${host(ids.at(-1)!)}/${ids.at(-1)}`)) !== null;
      assert.equal(first, last, `batch ${ids[0]} half stored`);
    }
    return { acked: acked.length, sent: sent.length };
  } finally {
    await store.close();
  }
}

describe('a server killed (SIGKILL) mid-batch loses no acknowledged event', () => {
  test('SQLite', async () => {
    const r = await killMidBatch(`sqlite:${join(tmp, 'crash.db')}`);
    assert.ok(r.acked >= 20);
  });
  test('PostgreSQL', async () => {
    const schema = `eg_crash_${randomBytes(5).toString('hex')}`;
    try {
      await killMidBatch(`${PG}?schema=${schema}`);
    } finally {
      const { PostgresStore } = await import('@execguard/store/postgres');
      const s = await PostgresStore.open({ url: PG, schema });
      await s.dropSchema();
      await s.close();
    }
  });
});
