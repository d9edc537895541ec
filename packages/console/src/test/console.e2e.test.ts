// End-to-end test of the web console: a real control server (SQLite, in this process) serving the
// built console, driven in Debian's Chromium by playwright-core. Sign in, triage a would-deny into an
// exception request, approve it as a second user, publish a policy, open the coverage page; the
// screenshots are kept in .artifacts/console/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..', '..');
const root = join(pkg, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const webDir = join(pkg, 'dist-web');
const serverDist = join(root, 'packages', 'server', 'dist');
const shots = join(root, '.artifacts', 'console');

const skip = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (apt-get install chromium; listed in .ci/apt-packages)`
  : !existsSync(join(webDir, 'index.html'))
    ? 'the console is not built (npm run build:extra -w packages/console)'
    : !existsSync(join(serverDist, 'console-static.js'))
      ? 'packages/server is not built'
      : false;

const ANALYST_SHA = 'c0ffee'.padEnd(64, '1');
const OTHER_SHA = 'bad'.padEnd(64, '2');
const DAY = 86_400_000;

function event(
  id: string,
  host: string,
  sha: string,
  exe: string,
  at: number,
  effect: 'allowed' | 'would-deny' | 'denied',
  techniques: string[] = [],
) {
  return {
    '@timestamp': new Date(at).toISOString(),
    event: { id, kind: 'event', category: ['process'], type: ['start'], module: 'execguard', original: `exec ${exe} on ${host}` },
    host: { id: host, name: host, os: { family: 'linux' } },
    user: { name: 'operator', id: '1000' },
    process: {
      pid: 4000,
      executable: exe,
      name: exe.split('/').pop(),
      args: [exe, '--run'],
      command_line: `${exe} --run`,
      hash: { sha256: sha },
      parent: { executable: '/usr/bin/bash', name: 'bash' },
    },
    threat: techniques.length ? { technique: { id: techniques } } : undefined,
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
            ? { source: 'allow-tools', message: 'sha256 is in the allow list', fields: { 'process.hash.sha256': sha } }
            : { source: 'default-deny', message: 'no rule allows this program', fields: { 'process.executable': exe } },
        ],
        techniques,
        mode: 'audit',
        failMode: 'open',
        scopeId: 'default',
        policy: { name: 'plant', version: 1, digest: 'sha256:test' },
      },
    },
  };
}

const POLICY = `apiVersion: execguard.io/v1
kind: Policy
metadata: {name: plant, version: 1}
defaults: {mode: audit, failMode: open}
rules:
  - id: allow-tools
    action: allow
    techniques: [T0863]
    match: {program: {sha256: ["${'a'.repeat(64)}"]}}
`;

describe('console end to end (Chromium)', { skip }, () => {
  // Loaded at run time so that this file compiles without the server packages' types.
  let server: {
    app: { listen(opts: { port: number; host: string }): Promise<string> };
    bootstrapToken: string | null;
    close(): Promise<void>;
  };
  let store: { close(): Promise<void> };
  let dir: string;
  let base: string;
  let tokens: { admin: string; analyst: string; approver: string };
  let browser: Browser | undefined;
  let page: Page;

  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null, text };
  };
  const shot = async (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  const signIn = async (token: string) => {
    await page.goto(`${base}/`);
    const signOut = page.getByRole('button', { name: 'Sign out' });
    if (await signOut.count()) await signOut.click();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  };

  before(async () => {
    mkdirSync(shots, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'execguard-console-'));
    const serverPkg = '@execguard/server';
    const storePkg = '@execguard/store';
    const { createServer } = await import(serverPkg);
    const { openStore } = await import(storePkg);
    // createServer serves the built console itself (from packages/console/dist-web): the build under test.
    const { defaultConsoleDir } = await import(join(serverDist, 'console-static.js'));
    assert.equal(defaultConsoleDir(), webDir);
    store = await openStore(`sqlite:${join(dir, 'server.db')}`);
    server = await createServer({ store, jobs: false, signing: { keyFile: join(dir, 'keys', 'signing.key') } });
    base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    const admin = server.bootstrapToken!;
    const mk = async (subject: string, role: string) => {
      const r = await api(admin, 'POST', '/v1/tokens', { subject, role });
      assert.equal(r.status, 201, r.text);
      return r.json.token as string;
    };
    tokens = { admin, analyst: await mk('alice', 'analyst'), approver: await mk('bob', 'approver') };
    // A group in audit mode with two hosts, a stored policy, and a week of events.
    assert.equal((await api(admin, 'PUT', '/v1/groups/line-1', { mode: 'audit', auditDays: 30 })).status, 200);
    const now = Date.now();
    const events = [];
    for (let d = 0; d < 7; d++) {
      for (let i = 0; i < 3; i++)
        events.push(event(`ok-${d}-${i}`, 'hmi-01', 'a'.repeat(64), '/opt/hmi/bin/hmi', now - d * DAY - i * 60_000, 'allowed'));
      events.push(
        event(
          `wd-${d}`,
          d % 2 ? 'hmi-01' : 'eng-02',
          ANALYST_SHA,
          '/home/operator/Downloads/vendor-tool',
          now - d * DAY - 3_600_000,
          'would-deny',
          ['T0863'],
        ),
      );
    }
    events.push(event('bad-1', 'eng-02', OTHER_SHA, '/tmp/.x/rundll', now - 2 * 3_600_000, 'would-deny', ['T0894', 'T0863']));
    const up = await api(tokens.analyst, 'POST', '/v1/events', { events });
    assert.equal(up.status, 200, up.text);
    const pol = await api(tokens.analyst, 'POST', '/v1/policies', { text: POLICY, comment: 'first plant policy' });
    assert.equal(pol.status, 201, pol.text);

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('static files need no token; the API still does', async () => {
    const index = await fetch(`${base}/`);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /<div id="root">/);
    assert.equal((await fetch(`${base}/some/console/url`)).status, 200);
    assert.equal((await fetch(`${base}/coverage.json`)).status, 200);
    assert.equal((await fetch(`${base}/v1/hosts`)).status, 401);
    // An unknown API path is never answered with the console's page.
    assert.equal((await fetch(`${base}/v1/no-such-route`)).status, 404);
    assert.equal((await api(tokens.analyst, 'GET', '/v1/no-such-route')).status, 404);
    assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
    // Only GET is served without credentials.
    assert.equal((await fetch(`${base}/`, { method: 'POST' })).status, 401);
  });

  test('a wrong token is refused at sign-in', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('API token').fill('egt_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /401/);
  });

  test('the analyst signs in, sees the overview and triages a would-deny into an exception request', async () => {
    await signIn(tokens.analyst);
    assert.equal(await page.getByLabel('Signed in role').textContent(), 'analyst');
    await page.getByRole('heading', { name: 'Hosts by mode' }).waitFor();
    // Seven days with one would-deny each and one more today, counted by the timeline route.
    await page.getByRole('img', { name: /Denied and would-deny executions per day over the last 14 days: 8 in all/ }).waitFor();
    await shot('01-overview');

    await nav('Events');
    await page.getByText(/matching events/).waitFor();
    await page.getByRole('button', { name: /^Decision would-deny:/ }).click();
    await page.getByText('8 matching events').waitFor();
    await shot('02-events');
    await page.getByRole('link', { name: /^Event eng-02\/bad-1/ }).click();
    await page.getByRole('heading', { name: 'Reasons' }).waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /no rule allows this program/);
    await shot('03-event');

    await nav('Review queue');
    const item = page.getByRole('listitem', { name: 'Identity /home/operator/Downloads/vendor-tool' });
    await item.waitFor();
    // Approvers' and admins' actions are not offered to an analyst.
    assert.equal(await page.getByRole('button', { name: /^Publish/ }).count(), 0);
    await item.getByRole('button', { name: 'Request exception for /home/operator/Downloads/vendor-tool' }).click();
    const dialog = page.getByRole('dialog', { name: 'Request an exception' });
    await dialog.getByLabel('Change ticket').fill('CHG-4711');
    await dialog.getByLabel('Reason').fill('vendor maintenance tool needed for the line-1 HMI upgrade');
    await shot('04-request-exception');
    await dialog.getByRole('button', { name: 'Request exception' }).click();
    await page.getByText(/requested; an approver must approve it/).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    const left = await api(tokens.analyst, 'GET', '/v1/exceptions?status=requested');
    assert.equal(left.json.exceptions.length, 1);
    assert.equal(left.json.exceptions[0].requester, 'alice');
    assert.equal(left.json.exceptions[0].ticket, 'CHG-4711');
  });

  test('a second user with the approver role approves it', async () => {
    await signIn(tokens.approver);
    assert.equal(await page.getByLabel('Signed in role').textContent(), 'approver');
    await nav('Exceptions and windows');
    const row = page.getByRole('row', { name: /Exception CHG-4711/ });
    await row.waitFor();
    await row.getByRole('button', { name: 'Approve exception CHG-4711' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve exception CHG-4711' });
    await dialog.getByRole('button', { name: 'Approve exception' }).click();
    await page.getByText('Exception CHG-4711 approved.').waitFor();
    await page
      .getByRole('row', { name: /Exception CHG-4711/ })
      .getByText('active', { exact: true })
      .waitFor();
    await shot('05-exception-approved');
    const x = (await api(tokens.approver, 'GET', '/v1/exceptions?status=active')).json.exceptions;
    assert.equal(x.length, 1);
    assert.equal(x[0].approver, 'bob');
    assert.equal(x[0].requester, 'alice');
  });

  test('the admin publishes the policy (signed bundle) after looking at lint and diff', async () => {
    await signIn(tokens.admin);
    await nav('Policies');
    await page.getByRole('heading', { name: 'plant v1' }).waitFor();
    await page.getByRole('tab', { name: /Lint findings/ }).click();
    await page.getByRole('table', { name: 'Lint findings' }).waitFor();
    await page.getByRole('tab', { name: 'Replay' }).click();
    await page.getByRole('button', { name: 'Replay plant version 1 against stored events' }).click();
    await page.getByText(/events replayed/).waitFor();
    await shot('06-policy-replay');
    await page.getByRole('button', { name: 'Publish plant version 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish plant version 1' });
    await dialog.getByRole('button', { name: 'Publish and sign' }).click();
    await page.getByText(/Published plant v1 as bundle sequence \d+/).waitFor();
    await page.getByText(/Published: plant version 1/).waitFor();
    await shot('07-policy-published');
    const p = (await api(tokens.admin, 'GET', '/v1/policies')).json;
    assert.deepEqual({ name: p.published.name, version: p.published.version }, { name: 'plant', version: 1 });
  });

  test('the coverage page shows M0938 and its seven techniques beside ExecGuard coverage', async () => {
    await nav('ATT&CK coverage');
    await page.getByRole('table', { name: 'Coverage summary' }).waitFor();
    for (const id of ['T0807', 'T0834', 'T0849', 'T0853', 'T0863', 'T0871', 'T0894']) await page.locator(`#tech-${id}`).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    assert.match(text, /M0938 Execution Prevention/);
    if (existsSync(join(root, '..', 'shared', 'data', 'attack', 'ics-attack-18.1.json'))) {
      assert.match(text, /ATT&CK for ICS release in use: 18\.1/);
      assert.match(text, /T0894 System Binary Proxy Execution/);
      assert.match(text, /14\.1: absent/); // T0894 arrived in v15
    }
    // The published policy's rule tagged T0863 and the events tagged T0863 are counted.
    // Cells after the row header: policy rules, detectors, self-test canaries, events seen.
    const row = page.getByRole('row', { name: /T0863/ }).first();
    const [rules, , , seen] = await row.getByRole('cell').allTextContents();
    assert.deepEqual({ rules, seen }, { rules: '1', seen: '8' });
    await shot('08-coverage');
  });

  test('the audit log verifies its chain in the browser', async () => {
    await nav('Audit log');
    await page.getByRole('status', { name: 'Chain verification status' }).waitFor();
    const status = (await page.getByRole('status', { name: 'Chain verification status' }).textContent()) ?? '';
    assert.match(status, /Hash chain intact/);
    await shot('09-audit');
  });

  test('hosts and a host page', async () => {
    await nav('Hosts');
    await page.getByRole('link', { name: 'hmi-01' }).click();
    await page.getByRole('heading', { name: 'Protection' }).waitFor();
    await shot('10-host');
  });
});
