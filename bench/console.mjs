#!/usr/bin/env node
/**
 * npm run bench:console — how long the console's pages take to render with 100,000 stored events,
 * beside the same pages over an almost empty store, in one run.
 *
 * Two servers run as child processes (`execguard serve`, SQLite): one holding EVENTS events (200
 * hosts, 30 days, a mix of allowed, would-deny and denied with techniques, uploaded through the API),
 * one holding the same kind of data at 100 events. Debian's Chromium (playwright-core) opens each page
 * on loopback with a signed-in session, ROUNDS times; a page counts as rendered when its heading is
 * shown and nothing on it still says "Loading…" (every API call it needs has answered and the data is
 * on screen). Reported: median and worst per page, and the ratio against the small store.
 * Target (issue 7): first render under a second with 100,000 stored events.
 * Prints a table, then one line of JSON.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer } from './serve-child.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const SMALL = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CHROMIUM = '/usr/bin/chromium';
const DAY = 86_400_000;
const PAGES = [
  ['overview', '/'],
  ['hosts', '/hosts'],
  ['host', '/hosts/host-007'],
  ['events', '/events'],
  ['events (would-deny, T0863)', '/events?effect=would-deny&technique=T0863'],
  ['review', '/review'],
  ['coverage', '/coverage'],
];

if (!existsSync(CHROMIUM)) {
  console.error(`bench:console needs Debian's Chromium at ${CHROMIUM} (apt-get install chromium)`);
  process.exit(2);
}

async function api(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

const PROGRAMS = Array.from({ length: 400 }, (_, i) => ({
  sha: randomBytes(32).toString('hex'),
  exe: i < 300 ? `/usr/bin/tool-${i}` : `/home/operator/Downloads/vendor-${i}`,
}));

/** A realistic agent event: hash, command line, parent, user and the decision with its reasons. */
function event(i, now) {
  const p = PROGRAMS[(i * 7919) % PROGRAMS.length];
  const host = `host-${String(i % 200).padStart(3, '0')}`;
  const effect = p.exe.startsWith('/usr/') ? 'allowed' : i % 3 === 0 ? 'denied' : 'would-deny';
  const techniques = effect === 'allowed' ? [] : i % 2 ? ['T0863'] : ['T0863', 'T0894'];
  return {
    '@timestamp': new Date(now - ((i * 104_729) % (30 * DAY))).toISOString(),
    event: { id: `bench-${i}`, kind: 'event', category: ['process'], type: ['start'], module: 'execguard' },
    host: { id: host, name: host, os: { family: 'linux' } },
    user: { name: 'operator', id: '1000' },
    process: {
      pid: 1000 + (i % 30_000),
      executable: p.exe,
      name: p.exe.split('/').pop(),
      args: [p.exe, '--config', `/etc/plant/line-${i % 4}.conf`],
      command_line: `${p.exe} --config /etc/plant/line-${i % 4}.conf`,
      hash: { sha256: p.sha },
      parent: { executable: '/usr/bin/bash', name: 'bash', pid: 900 },
    },
    ...(techniques.length ? { threat: { technique: { id: techniques } } } : {}),
    execguard: {
      decision: {
        verdict: effect === 'allowed' ? 'allow' : 'deny',
        effect,
        decidedBy: effect === 'allowed' ? 'rule' : 'default-deny',
        ruleId: effect === 'allowed' ? 'allow-tools' : 'default-deny',
        exceptionId: null,
        windowId: null,
        neverBlockId: null,
        reasons: [
          effect === 'allowed'
            ? { source: 'allow-tools', message: 'sha256 is in the allow list', fields: { 'process.hash.sha256': p.sha } }
            : { source: 'default-deny', message: 'no rule allows this program', fields: { 'process.executable': p.exe } },
        ],
        techniques,
        mode: effect === 'denied' ? 'enforce' : 'audit',
        failMode: 'open',
        scopeId: 'default',
        policy: { name: 'plant', version: 1, digest: 'sha256:bench' },
      },
    },
  };
}

async function seed(base, token, count) {
  const now = Date.now();
  const BATCH = 2_000;
  const tty = process.stderr.isTTY;
  for (let i = 0; i < count; i += BATCH) {
    const events = [];
    for (let j = i; j < Math.min(count, i + BATCH); j++) events.push(event(j, now));
    await api(base, token, 'POST', '/v1/events', { events });
    if (tty) process.stderr.write(`\r  stored ${Math.min(count, i + BATCH)}/${count} events`);
  }
  if (tty) process.stderr.write('\n');
}

async function measure(browser, base, token) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.addInitScript((t) => sessionStorage.setItem('execguard.session', JSON.stringify({ token: t, role: 'admin' })), token);
  const page = await ctx.newPage();
  page.setDefaultTimeout(60_000);
  const times = Object.fromEntries(PAGES.map(([name]) => [name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, route] of PAGES) {
      await page.goto('about:blank');
      const t0 = performance.now();
      await page.goto(`${base}/#${route}`);
      await page.waitForFunction(() => {
        const main = document.querySelector('main#main');
        return !!main?.querySelector('h1') && !main.textContent.includes('Loading…');
      });
      times[name].push(performance.now() - t0);
      const failed = await page.locator('main [role=alert]').count();
      if (failed) throw new Error(`${name}: ${await page.locator('main [role=alert]').first().textContent()}`);
    }
  }
  await ctx.close();
  return times;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dirs = [mkdtempSync(join(tmpdir(), 'execguard-bench-console-')), mkdtempSync(join(tmpdir(), 'execguard-bench-console-'))];
const servers = [];
let browser;
try {
  for (const [i, count] of [EVENTS, SMALL].entries()) {
    const s = await startServer(`sqlite:${join(dirs[i], 'server.db')}`, join(dirs[i], 'keys', 'signing.key'));
    servers.push(s);
    const t0 = performance.now();
    await seed(s.listening, s.bootstrapToken, count);
    s.seedMs = performance.now() - t0;
    s.count = count;
  }
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  const results = [];
  for (const s of servers) results.push(await measure(browser, s.listening, s.bootstrapToken));
  console.log(
    `${EVENTS.toLocaleString('en')} events (seeded through the API in ${(servers[0].seedMs / 1000).toFixed(1)} s) vs ${SMALL}; ${ROUNDS} loads per page; Chromium headless, 1280×800, loopback`,
  );
  console.log(
    `${'page'.padEnd(30)}${'median ms'.padStart(11)}${'worst ms'.padStart(10)}${`${SMALL} ev ms`.padStart(11)}${'ratio'.padStart(8)}`,
  );
  const figures = { events: EVENTS, small: SMALL, rounds: ROUNDS, pages: {} };
  for (const [name] of PAGES) {
    const b = results[0][name];
    const sm = results[1][name];
    const row = { medianMs: Math.round(median(b)), worstMs: Math.round(Math.max(...b)), smallMedianMs: Math.round(median(sm)) };
    row.ratio = +(median(b) / median(sm)).toFixed(2);
    figures.pages[name] = row;
    console.log(
      `${name.padEnd(30)}${String(row.medianMs).padStart(11)}${String(row.worstMs).padStart(10)}${String(row.smallMedianMs).padStart(11)}${`${row.ratio}×`.padStart(8)}`,
    );
  }
  const worst = Math.max(...Object.values(figures.pages).map((p) => p.worstMs));
  figures.underOneSecond = worst < 1000;
  console.log(`target (issue 7): every page under 1,000 ms with ${EVENTS.toLocaleString('en')} events — worst load ${worst} ms`);
  console.log(JSON.stringify(figures));
} finally {
  await browser?.close();
  for (const s of servers) s.child.kill('SIGTERM');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
