#!/usr/bin/env node
/**
 * npm run bench:server — event ingest through the control server's HTTP API, SQLite and PostgreSQL
 * side by side in one run.
 *
 * For each database a fresh server runs as a child process (`execguard serve`, so the load generator
 * does not share its event loop), 1,000 agents are enrolled through the API (one-time enrolment token
 * → agent credential each), then every agent uploads batches of BATCH events in a closed loop over its
 * own keep-alive connection on loopback for DURATION seconds after a short warm-up. Throughput is the
 * acknowledged events (answered 200 only after the commit) per second of the measured window; latency
 * is per request. Afterwards the stored event count is checked against what was acknowledged.
 * Prints a table, then one line of JSON. Target (issue 6): ≥ 20,000 events/s sustained on SQLite.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './serve-child.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const AGENTS = Number(process.env.BENCH_AGENTS ?? 1000);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const DURATION = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
/** Offered load of the paced phase, events per second over all agents. */
const RATE = Number(process.env.BENCH_RATE ?? 20_000);
/** Databases to run (both by default: the comparison is the point). */
const DBS = (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',');
const PG = process.env.EXECGUARD_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

function request(agent, url, method, path, token, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const req = http.request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const HASHES = Array.from({ length: 500 }, () => randomBytes(32).toString('hex'));
const PROGRAMS = [
  '/usr/bin/python3',
  '/usr/sbin/cron',
  '/opt/hmi/bin/runtime',
  '/usr/bin/bash',
  '/tmp/x/dropper',
  '/usr/lib/systemd/systemd-journald',
];
const EFFECTS = ['allowed', 'allowed', 'allowed', 'allowed', 'would-deny'];

/**
 * A realistic event: ECS process start with hash, command line, parent, user and a decision (~900 bytes).
 * Each agent's batch is built once as text with markers; a request only substitutes its sequence
 * and time, so the load generator spends its CPU on HTTP, not on building JSON.
 */
function batchTemplate(host) {
  const events = [];
  for (let i = 0; i < BATCH; i++) {
    const exe = PROGRAMS[i % PROGRAMS.length];
    const effect = EFFECTS[i % EFFECTS.length];
    events.push({
      '@timestamp': '#TS#',
      event: {
        id: `${host}-#SEQ#-${i}`,
        kind: 'event',
        category: ['process'],
        type: ['start'],
        action: 'exec',
        module: 'execguard',
      },
      host: { id: host, name: host, os: { family: 'linux', type: 'linux' } },
      user: { id: '1000', name: 'operator', group: { id: '1000', name: 'operator' } },
      process: {
        pid: 1000 + i,
        entity_id: `${host}-#SEQ#-${i}-${randomUUID()}`,
        executable: exe,
        name: exe.split('/').pop(),
        command_line: `${exe} --config /etc/app/config-${i % 7}.yaml --verbose`,
        args: [exe, '--config', `/etc/app/config-${i % 7}.yaml`, '--verbose'],
        working_directory: '/var/lib/app',
        hash: { sha256: HASHES[(i * 7 + host.length) % HASHES.length] },
        parent: {
          pid: 1,
          executable: '/usr/lib/systemd/systemd',
          name: 'systemd',
          command_line: '/usr/lib/systemd/systemd --system',
        },
      },
      execguard: {
        source_format: 'execguard',
        decision: {
          verdict: effect === 'allowed' ? 'allow' : 'deny',
          effect,
          ruleId: effect === 'allowed' ? 'allow-packages' : 'default-deny',
          techniques: effect === 'allowed' ? [] : ['T0863'],
          mode: 'audit',
        },
      },
    });
  }
  return JSON.stringify({ events });
}
const batchBody = (template, seq) => template.replaceAll('#SEQ#', String(seq)).replaceAll('#TS#', new Date().toISOString());

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function runOne(label, db, dir) {
  const flags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const srv = await startServer(db, join(dir, `keys-${label}`, 'execguard-signing.key'), flags);
  const url = srv.listening;
  const admin = srv.bootstrapToken;
  const setupAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  // Enrol the agents, 16 at a time.
  const agents = [];
  const t0 = performance.now();
  for (let i = 0; i < AGENTS; i += 16) {
    await Promise.all(
      Array.from({ length: Math.min(16, AGENTS - i) }, async (_, j) => {
        const host = `host-${String(i + j).padStart(4, '0')}`;
        const e = await request(setupAgent, url, 'POST', '/v1/enrolment-tokens', admin, '{}');
        const r = await request(
          setupAgent,
          url,
          'POST',
          '/v1/enrol',
          JSON.parse(e.body).token,
          JSON.stringify({ hostId: host, os: 'linux' }),
        );
        if (r.status !== 201) throw new Error(`enrol ${host}: ${r.status} ${r.body}`);
        agents.push({
          host,
          token: JSON.parse(r.body).token,
          template: batchTemplate(host),
          http: new http.Agent({ keepAlive: true, maxSockets: 1 }),
        });
      }),
    );
  }
  const enrolSeconds = (performance.now() - t0) / 1000;

  let seqs = 0;
  let ackedTotal = 0;
  let failures = 0;
  /**
   * One phase: every agent uploads in a loop for WARMUP + seconds; with `interval` (ms) an agent
   * starts a batch every interval at a random phase (waiting for the previous answer first), else
   * back to back. Returns acknowledged events per second and request latencies of the measured part.
   */
  const phase = async (seconds, interval) => {
    let measuring = false;
    let stop = false;
    let acked = 0;
    const latencies = [];
    const loop = async (a) => {
      let next = performance.now() + (interval ? Math.random() * interval : 0);
      while (!stop) {
        if (interval) {
          const wait = next - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          next += interval;
          if (stop) break;
        }
        const body = batchBody(a.template, seqs++);
        const s = performance.now();
        const r = await request(a.http, url, 'POST', '/v1/events', a.token, body).catch((e) => ({ status: 0, body: String(e) }));
        const ms = performance.now() - s;
        if (r.status !== 200) {
          failures++;
          if (failures < 5) process.stderr.write(`upload failed: ${r.status} ${r.body.slice(0, 200)}\n`);
          continue;
        }
        ackedTotal += BATCH;
        if (measuring && !stop) {
          acked += BATCH;
          latencies.push(ms);
        }
      }
    };
    const running = agents.map(loop);
    await new Promise((r) => setTimeout(r, WARMUP * 1000));
    measuring = true;
    const m0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const elapsed = (performance.now() - m0) / 1000;
    const inWindow = acked;
    stop = true;
    await Promise.all(running);
    latencies.sort((x, y) => x - y);
    return {
      eventsPerSecond: Math.round(inWindow / elapsed),
      requestsPerSecond: Math.round(latencies.length / elapsed),
      p50ms: Number(pct(latencies, 50).toFixed(1)),
      p99ms: Number(pct(latencies, 99).toFixed(1)),
    };
  };
  // Saturation: as fast as the server acknowledges. Paced: the target rate offered evenly by all agents.
  const saturation = await phase(DURATION, 0);
  const paced = await phase(DURATION, (AGENTS * BATCH * 1000) / RATE);
  const count = JSON.parse((await request(setupAgent, url, 'GET', '/v1/events?limit=1', admin)).body).total;
  srv.child.kill('SIGTERM');
  await new Promise((r) => srv.child.once('exit', r));
  for (const a of agents) a.http.destroy();
  setupAgent.destroy();
  return {
    db: label,
    saturation,
    paced,
    acknowledged: ackedTotal,
    stored: count,
    failures,
    enrolSeconds: Number(enrolSeconds.toFixed(1)),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'execguard-bench-server-'));
const schema = `bench_${randomBytes(4).toString('hex')}`;
const results = [];
try {
  if (DBS.includes('sqlite')) results.push(await runOne('sqlite', `sqlite:${join(dir, 'server.db')}`, dir));
  const pgUrl = `${PG}${PG.includes('?') ? '&' : '?'}schema=${schema}`;
  if (DBS.includes('postgres')) results.push(await runOne('postgres', pgUrl, dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
  const { default: pg } = await import(join(root, 'node_modules/pg/lib/index.js'));
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}

process.stdout.write(
  `\nbench:server — ${AGENTS} agents, batches of ${BATCH} events, loopback; each phase ${DURATION} s measured after ${WARMUP} s warm-up.\n` +
    `saturation: every agent uploads back to back (latency is then queueing: ${AGENTS} requests in flight);\n` +
    `paced: the agents together offer ${RATE.toLocaleString('en')} events/s (one batch per agent every ${((AGENTS * BATCH) / RATE).toFixed(1)} s).\n\n`,
);
process.stdout.write(
  '| database | saturation events/s | p50 ms | p99 ms | paced events/s | p50 ms | p99 ms | acknowledged | stored | failed |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n',
);
for (const r of results)
  process.stdout.write(
    `| ${r.db} | ${r.saturation.eventsPerSecond.toLocaleString('en')} | ${r.saturation.p50ms} | ${r.saturation.p99ms} | ${r.paced.eventsPerSecond.toLocaleString('en')} | ${r.paced.p50ms} | ${r.paced.p99ms} | ${r.acknowledged} | ${r.stored} | ${r.failures} |\n`,
  );
const s = results.find((r) => r.db === 'sqlite');
const p = results.find((r) => r.db === 'postgres');
if (s && p)
  process.stdout.write(
    `\nSQLite/PostgreSQL saturation throughput: ${(s.saturation.eventsPerSecond / p.saturation.eventsPerSecond).toFixed(2)}×; ` +
      `SQLite sustains ${RATE.toLocaleString('en')} events/s offered: ${s.paced.eventsPerSecond >= RATE * 0.98 ? 'yes' : 'NO'} (${s.paced.eventsPerSecond.toLocaleString('en')}/s, p99 ${s.paced.p99ms} ms)\n`,
  );
for (const r of results)
  if (r.stored !== r.acknowledged)
    process.stdout.write(`WARNING ${r.db}: stored ${r.stored} != acknowledged ${r.acknowledged}\n`);
process.stdout.write(
  `${JSON.stringify({ bench: 'server', agents: AGENTS, batch: BATCH, seconds: DURATION, rate: RATE, load: os.loadavg()[0], results })}\n`,
);
